"""``MergeInstancesArray``: placeholder until issue #4 lands; it reads nothing."""

from __future__ import annotations

from typing import Any


class MergeInstancesArray:
    """Not built yet (issue #4); constructing one raises ``NotImplementedError``."""

    def __init__(self, array_config: Any) -> None:
        raise NotImplementedError("MergeInstancesArray is not implemented yet (issue #4)")
