"""``LogicalOrArrayConfig``: logical OR over the channel axis of a source array."""

from __future__ import annotations

import attrs

from ._fields import source_field
from .array_config import ArrayConfig
from .logical_or_array import LogicalOrArray


@attrs.frozen
class LogicalOrArrayConfig(ArrayConfig):
    """Logical OR over the channel axis of a source array."""

    array_type = LogicalOrArray

    source_array_config: ArrayConfig = source_field("The channels to combine.")
