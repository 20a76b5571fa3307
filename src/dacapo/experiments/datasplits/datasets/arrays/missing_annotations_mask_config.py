"""``MissingAnnotationsMaskConfig``: a mask of where each group of labels is annotated."""

from __future__ import annotations

import attrs

from ._fields import Grouping, help_text, to_groupings
from .array_config import ArrayConfig, is_config
from .missing_annotations_mask import MissingAnnotationsMask


@attrs.frozen
class MissingAnnotationsMaskConfig(ArrayConfig):
    """A mask of where each group of labels is annotated (see ``MissingAnnotationsMask``)."""

    array_type = MissingAnnotationsMask

    source_array_config: ArrayConfig = attrs.field(
        validator=is_config,
        metadata=help_text(
            "Labels (no channel axis) whose dataset attributes carry CellMap annotation metadata: "
            "a fibsem-tools 'labels' list or a 'cellmap.annotation' entry."
        ),
    )
    groupings: list[Grouping] = attrs.field(
        converter=to_groupings,
        metadata=help_text(
            "(channel name, label ids) pairs, one uint8 channel each; use the groupings of the "
            "BinarizeArrayConfig this masks."
        ),
    )

    def _problems(self) -> list[str]:
        names = [name for name, _ in self.groupings]
        if not names:
            return ["groupings is empty; list the (name, [ids]) groups to mask"]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            return [f"groupings repeat the name(s) {repeated}; name each channel once"]
        return []
