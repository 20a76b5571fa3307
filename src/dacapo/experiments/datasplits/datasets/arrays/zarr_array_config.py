"""``ZarrArrayConfig``: a dataset in a zarr (v2, v3) or N5 container."""

from __future__ import annotations

import attrs
from funlib.geometry import Coordinate
from upath import UPath

from ._fields import help_text, to_optional_coordinate, to_upath
from .array_config import ArrayConfig
from .zarr_array import ZarrArray


@attrs.frozen
class ZarrArrayConfig(ArrayConfig):
    """A dataset in a zarr (v2, v3) or N5 container."""

    array_type = ZarrArray

    file_name: UPath = attrs.field(
        converter=to_upath, metadata=help_text("The zarr / N5 container (path or URL).")
    )
    dataset: str = attrs.field(
        validator=attrs.validators.instance_of(str),
        metadata=help_text("The dataset in the container; may be nested, e.g. 'raw/s0'."),
    )
    snap_to_grid: Coordinate | None = attrs.field(
        default=None,
        converter=to_optional_coordinate,
        metadata=help_text("Shrink the ROI to this grid (world units)."),
    )
    _axes: list[str] | None = attrs.field(
        default=None, metadata=help_text("Axis names, overriding the stored metadata.")
    )
    mode: str | None = attrs.field(
        default=None, metadata=help_text("'r' for read-only; default: read and write.")
    )
