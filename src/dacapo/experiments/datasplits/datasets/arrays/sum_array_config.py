"""``SumArrayConfig``: the voxel-wise sum of arrays."""

from __future__ import annotations

import attrs

from ._fields import help_text
from ._multi_source import to_config_list
from .array_config import ArrayConfig
from .sum_array import SumArray


@attrs.frozen
class SumArrayConfig(ArrayConfig):
    """The voxel-wise sum of arrays with equal axes, ROI and voxel size (see ``SumArray``)."""

    array_type = SumArray

    source_array_configs: list[ArrayConfig] = attrs.field(
        converter=to_config_list,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(ArrayConfig)),
        metadata=help_text("The arrays to add voxel by voxel (equal axes, ROI and voxel size)."),
    )

    def _problems(self) -> list[str]:
        if not self.source_array_configs:
            return ["source_array_configs is empty; list the arrays to add"]
        return []
