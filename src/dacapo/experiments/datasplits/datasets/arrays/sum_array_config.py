"""``SumArrayConfig``: the voxel-wise sum of arrays."""

from __future__ import annotations

import attrs

from ._fields import help_text
from .array_config import ArrayConfig
from .sum_array import SumArray


@attrs.frozen
class SumArrayConfig(ArrayConfig):
    """The voxel-wise sum of arrays."""

    array_type = SumArray

    source_array_configs: list[ArrayConfig] = attrs.field(
        converter=list, metadata=help_text("The arrays to add voxel by voxel.")
    )
