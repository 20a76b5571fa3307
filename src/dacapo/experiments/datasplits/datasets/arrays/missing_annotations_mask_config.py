"""``MissingAnnotationsMaskConfig``: a mask of where each group of labels is annotated."""

from __future__ import annotations

import attrs

from ._fields import Grouping, help_text, source_field, to_groupings
from .array_config import ArrayConfig
from .missing_annotations_mask import MissingAnnotationsMask


@attrs.frozen
class MissingAnnotationsMaskConfig(ArrayConfig):
    """A mask of where each group of labels is annotated."""

    array_type = MissingAnnotationsMask

    source_array_config: ArrayConfig = source_field("Labels with CellMap annotation metadata.")
    groupings: list[Grouping] = attrs.field(
        converter=to_groupings, metadata=help_text("(channel name, label ids) pairs.")
    )
