"""``TiffArray``: placeholder until issue #6 lands; it reads nothing."""

from __future__ import annotations

from typing import Any


class TiffArray:
    """Not built yet (issue #6); constructing one raises ``NotImplementedError``."""

    def __init__(self, array_config: Any) -> None:
        raise NotImplementedError("TiffArray is not implemented yet (issue #6)")
