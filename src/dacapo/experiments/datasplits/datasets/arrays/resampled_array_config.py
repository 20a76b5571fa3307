"""``ResampledArrayConfig``: a source array resampled to another voxel size."""

from __future__ import annotations

import numbers
from typing import Any

import attrs
from funlib.geometry import Coordinate

from ._fields import help_text, reads_raw_data
from ._geometry import to_coordinate
from .array_config import ArrayConfig, is_config
from .resampled_array import ResampledArray, factor_problems


def to_interp_order(value: Any) -> int:
    """An interpolation order as an int; ``False``/``True`` (the original's type) are 0/1."""
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError(f"interp_order must be a whole number (0: nearest, 1: linear), got {value!r}")


reads_raw_data(to_interp_order)


@attrs.frozen
class ResampledArrayConfig(ArrayConfig):
    """A source array resampled to ``voxel_size = source voxel size * downsample / upsample``.

    >>> from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
    >>> raw = ZarrArrayConfig(name="raw", file_name="data.zarr", dataset="raw/s0")
    >>> ResampledArrayConfig(
    ...     name="raw_16nm", source_array_config=raw, upsample=(1, 1, 1),
    ...     downsample=(2, 2, 2), interp_order=False,
    ... ).interp_order
    0
    """

    array_type = ResampledArray

    source_array_config: ArrayConfig = attrs.field(
        validator=is_config, metadata=help_text("The array to resample.")
    )
    upsample: Coordinate = attrs.field(
        converter=to_coordinate,
        metadata=help_text("Per-axis upsampling factors; 1 (or 0) leaves an axis unchanged."),
    )
    downsample: Coordinate = attrs.field(
        converter=to_coordinate,
        metadata=help_text("Per-axis downsampling factors; 1 (or 0) leaves an axis unchanged."),
    )
    interp_order: int = attrs.field(
        converter=to_interp_order,
        metadata=help_text(
            "0: nearest neighbour (labels: values are never blended); 1: block mean when "
            "downsampling, linear interpolation when upsampling. False/True mean 0/1."
        ),
    )

    use_pyramid: bool = attrs.field(
        default=False,
        validator=attrs.validators.instance_of(bool),
        metadata=help_text(
            "Read a stored pyramid level at the target voxel size instead of computing, when "
            "the level was made by the same method (mean for interp_order 1); default: compute."
        ),
    )

    def _problems(self) -> list[str]:
        """The factors and order alone; against the source they are checked when building."""
        return factor_problems(self.upsample, self.downsample, self.interp_order)
