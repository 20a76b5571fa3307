"""``BinarizeArrayConfig``: binarize label ids into one channel per group."""

from __future__ import annotations

import attrs

from ._fields import Grouping, help_text, source_field, to_groupings
from .array_config import ArrayConfig
from .binarize_array import BinarizeArray


@attrs.frozen
class BinarizeArrayConfig(ArrayConfig):
    """Binarize label ids into one channel per group."""

    array_type = BinarizeArray

    source_array_config: ArrayConfig = source_field("The labels to binarize (no channel axis).")
    groupings: list[Grouping] = attrs.field(
        converter=to_groupings,
        metadata=help_text(
            "(channel name, label ids) pairs; one uint8 channel each, 1 where the label is one "
            "of the ids; an empty id list means every label but the background."
        ),
    )
    background: int = attrs.field(default=0, metadata=help_text("The background label id."))
