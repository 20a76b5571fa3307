"""``TiffArrayConfig``: a TIFF stack or image (multi-page, OME-TIFF, ImageJ)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs
from funlib.geometry import Coordinate

from ._fields import LABELS_HELP, help_text, to_optional_coordinate, to_upath
from ._labels import to_is_labels
from ._storage.tiff import tiff_problem
from .array_config import ArrayConfig
from .tiff_array import TiffArray

if TYPE_CHECKING:  # see _fields.resolve_types
    from upath import UPath


def _to_axes(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(
            f"axes must be a list of names, one per dimension of the file, e.g. "
            f"['z', 'y', 'x']; got {value!r}"
        )
    if not all(isinstance(a, str) for a in value):
        raise ValueError(f"axes must be names (strings); got {list(value)!r}")
    return list(value)


@attrs.frozen
class TiffArrayConfig(ArrayConfig):
    """A TIFF stack or image, read lazily; fields left out come from the file's metadata.

    >>> TiffArrayConfig(name="raw", file_name="missing.tif").verify()
    (False, "$ (TiffArrayConfig 'raw'): TIFF file 'missing.tif' does not exist")
    """

    array_type = TiffArray

    file_name: UPath = attrs.field(
        converter=to_upath, metadata=help_text("The TIFF file (local path or URL).")
    )
    offset: Coordinate | None = attrs.field(
        default=None,
        converter=to_optional_coordinate,
        metadata=help_text("World position of voxel 0 in world units (default: 0)."),
    )
    voxel_size: Coordinate | None = attrs.field(
        default=None,
        converter=to_optional_coordinate,
        metadata=help_text(
            "Voxel size in world units (default: OME PhysicalSize* or ImageJ calibration, else 1)."
        ),
    )
    axes: list[str] | None = attrs.field(
        default=None,
        converter=_to_axes,
        metadata=help_text(
            "Axis names in file order, e.g. ['z', 'c', 'y', 'x'] (default: from the file); "
            "the array puts 'c' first."
        ),
    )
    is_labels: bool | None = attrs.field(
        default=None, converter=to_is_labels, metadata=help_text(LABELS_HELP)
    )
    world_unit: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(str)),
        metadata=help_text(
            "Length of one world unit: 'nm' (default), or finer for fractional nm, e.g. "
            "'0.01 nm'; voxel_size and offset are then in it."
        ),
    )

    def _problems(self) -> list[str]:
        """The file exists and is a TIFF; the header is checked against the fields by
        building the array (no voxel data is read)."""
        problem = tiff_problem(self.file_name)
        return [] if problem is None else [problem]
