"""``MergeInstancesArrayConfig``: instance segmentations merged into one, ids kept apart."""

from __future__ import annotations

import attrs

from ._fields import help_text
from .array_config import ArrayConfig
from .merge_instances_array import MergeInstancesArray


@attrs.frozen
class MergeInstancesArrayConfig(ArrayConfig):
    """Instance segmentations merged into one, ids kept apart."""

    array_type = MergeInstancesArray

    source_array_configs: list[ArrayConfig] = attrs.field(
        converter=list, metadata=help_text("The instance segmentations to merge.")
    )
