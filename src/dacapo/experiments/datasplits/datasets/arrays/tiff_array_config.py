"""``TiffArrayConfig``: a TIFF stack or image."""

from __future__ import annotations

import attrs
from funlib.geometry import Coordinate
from upath import UPath

from ._fields import help_text, to_optional_coordinate, to_upath
from .array_config import ArrayConfig
from .tiff_array import TiffArray


@attrs.frozen
class TiffArrayConfig(ArrayConfig):
    """A TIFF stack or image."""

    array_type = TiffArray

    file_name: UPath = attrs.field(converter=to_upath, metadata=help_text("The TIFF file."))
    offset: Coordinate | None = attrs.field(
        default=None,
        converter=to_optional_coordinate,
        metadata=help_text("World position of voxel 0 (default: from the file, else 0)."),
    )
    voxel_size: Coordinate | None = attrs.field(
        default=None,
        converter=to_optional_coordinate,
        metadata=help_text("Voxel size in nm (default: from the file, else 1)."),
    )
    axes: list[str] | None = attrs.field(
        default=None, metadata=help_text("Axis names (default: from the file).")
    )
