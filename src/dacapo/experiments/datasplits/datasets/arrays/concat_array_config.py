"""``ConcatArrayConfig``: stack arrays along a new leading channel axis."""

from __future__ import annotations

import attrs

from ._fields import help_text
from .array_config import ArrayConfig
from .concat_array import ConcatArray


@attrs.frozen
class ConcatArrayConfig(ArrayConfig):
    """Stack arrays along a new leading channel axis."""

    array_type = ConcatArray

    channels: list[str] = attrs.field(
        converter=list, metadata=help_text("The output channels, in order.")
    )
    source_array_configs: dict[str, ArrayConfig] = attrs.field(
        converter=dict, metadata=help_text("The array of each channel name that has one.")
    )
    default_config: ArrayConfig | None = attrs.field(
        default=None,
        metadata=help_text("The array for channels without a source (zeros when missing)."),
    )
