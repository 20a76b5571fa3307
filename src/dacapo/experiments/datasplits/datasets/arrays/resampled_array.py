"""``ResampledArray``: placeholder until issue #5 lands; it reads nothing."""

from __future__ import annotations

from typing import Any


class ResampledArray:
    """Not built yet (issue #5); constructing one raises ``NotImplementedError``."""

    def __init__(self, array_config: Any) -> None:
        raise NotImplementedError("ResampledArray is not implemented yet (issue #5)")
