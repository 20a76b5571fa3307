"""``DummyArrayConfig``: describes a ``DummyArray``; never valid."""

from __future__ import annotations

import attrs

from .array_config import ArrayConfig
from .dummy_array import DummyArray

NEVER_VALID = "This is a DummyArrayConfig and is never valid"


@attrs.frozen
class DummyArrayConfig(ArrayConfig):
    """A config for tests; ``verify()`` always says it is not valid.

    >>> DummyArrayConfig(name="dummy").verify()
    (False, 'This is a DummyArrayConfig and is never valid')
    """

    array_type = DummyArray

    def _problems(self) -> list[str]:
        return [NEVER_VALID]

    def verify(self) -> tuple[bool, str]:
        return False, NEVER_VALID
