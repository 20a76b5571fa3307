"""``SumArray``: placeholder until issue #4 lands; it reads nothing."""

from __future__ import annotations

from typing import Any


class SumArray:
    """Not built yet (issue #4); constructing one raises ``NotImplementedError``."""

    def __init__(self, array_config: Any) -> None:
        raise NotImplementedError("SumArray is not implemented yet (issue #4)")
