"""``LogicalOrArrayConfig``: the union of a source array's channels."""

from __future__ import annotations

import attrs

from ._fields import help_text
from .array_config import ArrayConfig, is_config
from .logical_or_array import LogicalOrArray


@attrs.frozen
class LogicalOrArrayConfig(ArrayConfig):
    """1 where any channel of the source is non-zero: a union of masks, one ``uint8`` mask."""

    array_type = LogicalOrArray

    source_array_config: ArrayConfig = attrs.field(
        validator=is_config, metadata=help_text("The masks (channels) to unite.")
    )
