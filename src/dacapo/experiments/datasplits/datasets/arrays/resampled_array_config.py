"""``ResampledArrayConfig``: a source array resampled to another voxel size."""

from __future__ import annotations

import attrs
from funlib.geometry import Coordinate

from ._fields import coordinate_field, help_text, source_field
from .array_config import ArrayConfig
from .resampled_array import ResampledArray


@attrs.frozen
class ResampledArrayConfig(ArrayConfig):
    """A source array resampled to another voxel size."""

    array_type = ResampledArray

    source_array_config: ArrayConfig = source_field("The array to resample.")
    upsample: Coordinate = coordinate_field("Per-axis upsampling factors (1 = unchanged).")
    downsample: Coordinate = coordinate_field("Per-axis downsampling factors (1 = unchanged).")
    interp_order: int = attrs.field(
        converter=int, metadata=help_text("0: nearest neighbour (labels); 1: linear.")
    )
