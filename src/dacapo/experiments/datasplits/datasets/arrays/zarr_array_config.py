"""``ZarrArrayConfig``: a dataset in a zarr (v2, v3) or N5 container."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
from funlib.geometry import Coordinate

from ._field_checks import dataset_path, positive_grid
from ._fields import LABELS_HELP, help_text, to_optional_coordinate, to_upath
from ._labels import to_is_labels
from .array_config import ArrayConfig
from .errors import ArrayError
from .zarr_array import ZarrArray, check_mode

if TYPE_CHECKING:  # see _fields.resolve_types
    from upath import UPath

_UNSET: Any = object()


@attrs.frozen(init=False)
class ZarrArrayConfig(ArrayConfig):
    """A dataset in a zarr (v2, v3) or N5 container, local or in the cloud.

    The axes override is the private field ``_axes`` (its key in config files). Pass it as
    ``axes=[...]`` (the original DaCapo's keyword) or ``_axes=[...]`` (the spec's example):

    >>> config = ZarrArrayConfig(name="raw", file_name="x.zarr", dataset="raw", _axes=["z", "x"])
    >>> config == ZarrArrayConfig(name="raw", file_name="x.zarr", dataset="raw", axes=["z", "x"])
    True

    ``mode``: ``"r"`` opens read-only; ``None`` (default), ``"a"``, ``"r+"`` and ``"w"`` read
    and write the existing dataset (none of them truncates it).

    ``is_labels``: ``True`` (labels or a mask) or ``False`` (intensities) overrides what the
    metadata and dtype say (see ``Array.is_labels``).

    ``voxel_size`` and ``offset`` (world units) override the stored metadata; ``world_unit``
    sets what one world unit is, so that fractional nanometres open exactly (CellMap's
    5.24 nm as 524 units of ``"0.01 nm"``). See docs/real-data.md.
    """

    array_type = ZarrArray

    file_name: UPath = attrs.field(
        converter=to_upath, metadata=help_text("The zarr / N5 container (path or URL).")
    )
    dataset: str = attrs.field(
        validator=[attrs.validators.instance_of(str), dataset_path],
        metadata=help_text("The dataset in the container; may be nested, e.g. 'raw/s0'."),
    )
    snap_to_grid: Coordinate | None = attrs.field(
        default=None,
        converter=to_optional_coordinate,
        validator=positive_grid,
        metadata=help_text("Shrink the ROI to this grid (world units)."),
    )
    _axes: list[str] | None = attrs.field(
        default=None, metadata=help_text("Axis names, overriding the stored metadata.")
    )
    mode: str | None = attrs.field(
        default=None, metadata=help_text("'r' for read-only; default: read and write.")
    )
    is_labels: bool | None = attrs.field(
        default=None, converter=to_is_labels, metadata=help_text(LABELS_HELP)
    )
    voxel_size: Coordinate | None = attrs.field(
        default=None,
        converter=to_optional_coordinate,
        metadata=help_text("Voxel size in world units, overriding the stored metadata."),
    )
    offset: Coordinate | None = attrs.field(
        default=None,
        converter=to_optional_coordinate,
        metadata=help_text("World position of voxel 0's corner, overriding the metadata."),
    )
    world_unit: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(str)),
        metadata=help_text(
            "Length of one world unit: 'nm' (default), or finer for fractional nm, e.g. "
            "'0.01 nm' for 5.24 nm voxels; every array of one tree must use the same."
        ),
    )

    def __init__(
        self,
        name: str,
        file_name: Any,
        dataset: str,
        snap_to_grid: Any = None,
        axes: list[str] | None = _UNSET,
        mode: str | None = None,
        *,
        _axes: list[str] | None = _UNSET,
        is_labels: bool | None = None,
        voxel_size: Any = None,
        offset: Any = None,
        world_unit: str | None = None,
    ) -> None:
        if axes is not _UNSET and _axes is not _UNSET:
            raise TypeError("pass the axes override once: axes=[...] or _axes=[...], not both")
        chosen = axes if axes is not _UNSET else _axes if _axes is not _UNSET else None
        self.__attrs_init__(
            name,
            file_name,
            dataset,
            snap_to_grid,
            chosen,
            mode,
            is_labels,
            voxel_size,
            offset,
            world_unit,
        )

    def _problems(self) -> list[str]:
        """The mode; the container, dataset, metadata and codecs are checked by building the
        array (``ZarrArray._verify`` opens it as a read does)."""
        try:
            check_mode(self.mode, self.name)
        except ArrayError as err:
            return [str(err)]
        return []
