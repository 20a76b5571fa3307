"""``TiffArray``: a TIFF stack or image (multi-page, OME-TIFF, ImageJ), read lazily by ROI.

Axis names, voxel size and offset come from the config where it gives them, else from the
file: axis letters (``Z``, ``Y``, ``X``; ``C`` and ``S`` become ``c``; the one unnamed axis
of a plain stack becomes ``z``), OME-XML ``PhysicalSize*`` or ImageJ calibration converted
to nm, offset 0. The channel axis, wherever the file stores it, comes first in ``axes``.
"""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from ._geometry import format_coordinate
from ._storage.lazy import LazyView
from ._storage.tiff import TiffStack
from ._storage.units import NM, NOTES, WORLD_UNIT, fractions_to_world, world_unit
from .array import CHANNEL_AXIS, Array, ArraySpec
from .errors import ConfigError, GeometryError, MetadataError
from .numpy_array import check_axes, default_axes

if TYPE_CHECKING:
    from .tiff_array_config import TiffArrayConfig

_NAMES = {"Z": "z", "Y": "y", "X": "x", "C": CHANNEL_AXIS, "S": CHANNEL_AXIS}
_LETTERS = {"z": "Z", "y": "Y", "x": "X", CHANNEL_AXIS: "C"}


class TiffArray(Array):
    """A read-only array over the first image series of a TIFF file."""

    def __init__(self, array_config: TiffArrayConfig) -> None:
        self._config = array_config
        self.name = array_config.name
        self.file_name = array_config.file_name
        self._stack = TiffStack(self.file_name)
        self._world = world_unit(array_config.world_unit, field="TiffArrayConfig.world_unit")
        self._notes: list[str] = []
        if self._stack.squeezed and array_config.axes is None:
            self._notes.append(
                f"size-1 axes {self._stack.squeezed!r} of TIFF file {self._where} left out"
            )
        names = self._file_axes(array_config.axes)
        # Channels first: ``order[i]`` is the file dimension shown as array dimension ``i``.
        self._order = tuple(sorted(range(len(names)), key=lambda i: names[i] != CHANNEL_AXIS))
        self._axes = check_axes(
            [names[i] for i in self._order], len(names), f"TIFF file {self._where}"
        )
        spatial = [i for i in self._order if names[i] != CHANNEL_AXIS]
        voxel_size = self._init_voxel_size(array_config.voxel_size, spatial)
        offset = self._init_offset(array_config.offset, voxel_size)
        shape = Coordinate(tuple(self._stack.shape[i] for i in spatial))
        channels = self._stack.shape[self._order[0]] if self._axes[0] == CHANNEL_AXIS else None
        self.spec = ArraySpec(
            self._axes,
            voxel_size,
            Roi(offset, shape * voxel_size),
            self._stack.dtype,
            num_channels=None if channels is None else int(channels),
            # the config's word, else the dtype's (TIFF files do not say)
            **({} if array_config.is_labels is None else {"is_labels": array_config.is_labels}),
        )

    @property
    def _where(self) -> str:
        return repr(str(self.file_name))

    def _file_axes(self, axes: list[str] | None) -> list[str]:
        """One name per file dimension, in file order."""
        if axes is not None and len(axes) != len(self._stack.shape):
            # tifffile squeezes size-1 dimensions (a one-page stack is "YX"): bring back
            # those the config names.
            wanted = "".join(_LETTERS.get(str(a), "") for a in axes)
            if len(axes) == len(self._stack.shape) + len(self._stack.squeezed):
                self._stack.unsqueeze()  # the config names the size-1 axes left out
            else:
                self._stack.keep_size_one(wanted)
        letters, shape = self._stack.axes, self._stack.shape
        if axes is not None:
            if len(axes) != len(shape):
                raise ConfigError(
                    f"axes {list(axes)} name {len(axes)} dimensions but TIFF file {self._where} "
                    f"holds {len(shape)} (shape {shape}, TIFF axes {letters!r}); give "
                    f"TiffArrayConfig.axes one name per dimension in file order, e.g. "
                    f"{_example(letters)}"
                )
            return [str(a) for a in axes]
        names = [_NAMES.get(letter) for letter in letters]
        unnamed = [i for i, n in enumerate(names) if n is None]
        if len(unnamed) == 1 and "z" not in names:
            names[unnamed[0]] = "z"  # the one extra axis of a plain stack ('Q', 'I', 'T')
        if None in names or names.count(CHANNEL_AXIS) > 1:
            raise MetadataError(
                f"cannot name the axes {letters!r} (shape {shape}) of TIFF file {self._where}: "
                f"only z, y, x and one channel axis are supported; set TiffArrayConfig.axes in "
                f"file order, e.g. {_example(letters)}"
            )
        return [str(n) for n in names]

    def _init_voxel_size(self, configured: Coordinate | None, spatial: list[int]) -> Coordinate:
        if configured is not None:
            self._check_dims(configured, "voxel_size", len(spatial))
            if any(v <= 0 for v in configured):
                raise GeometryError(
                    f"voxel_size {format_coordinate(configured)} of TIFF file {self._where} "
                    f"must be positive; fix TiffArrayConfig.voxel_size"
                )
            return configured
        geometry = self._stack.geometry
        if geometry is None:
            return Coordinate((1,) * len(spatial))
        sizes = [geometry.voxel_size.get(self._stack.axes[i], Fraction(1)) for i in spatial]
        source = f"{geometry.source} in {self._where}"
        return Coordinate(
            fractions_to_world(sizes, world=self._world, source=source, notes=self._notes)
        )

    def _init_offset(self, configured: Coordinate | None, voxel: Coordinate) -> Coordinate:
        if configured is None:
            return Coordinate((0,) * voxel.dims)
        self._check_dims(configured, "offset", voxel.dims)
        if not configured.is_multiple_of(voxel):
            snapped = (configured // voxel) * voxel
            raise GeometryError(
                f"offset {format_coordinate(configured)} of TIFF file {self._where} is not a "
                f"multiple of its voxel size {format_coordinate(voxel)}; set "
                f"TiffArrayConfig.offset to whole voxels, e.g. {format_coordinate(snapped)}"
            )
        return configured

    def _check_dims(self, value: Coordinate, field: str, dims: int) -> None:
        if value.dims != dims:
            spatial = [a for a in self._axes if a != CHANNEL_AXIS]
            raise GeometryError(
                f"{field} {format_coordinate(value)} has {value.dims} entries but TIFF file "
                f"{self._where} has {dims} spatial axes {spatial}; give "
                f"TiffArrayConfig.{field} one entry per spatial axis"
            )

    # -- metadata -------------------------------------------------------------------------

    @property
    def attrs(self) -> dict[str, Any]:
        """The file's axis letters and its ImageJ / OME-XML metadata, where present."""
        found: dict[str, Any] = {"tiff_axes": self._stack.axes}
        if self._stack.imagej_metadata:
            found["imagej_metadata"] = dict(self._stack.imagej_metadata)
        if self._stack.ome_metadata:
            found["ome_metadata"] = self._stack.ome_metadata
        if self._notes:
            found[NOTES] = list(self._notes)
        if self._world is not NM:
            found[WORLD_UNIT] = str(self._world)
        return found

    @property
    def world_unit(self) -> str:
        """What one world unit is (``"nm"`` unless the config says otherwise)."""
        return str(self._world)

    def _why_read_only(self) -> str:
        return "TIFF files are read-only; write to zarr instead (ZarrArray)"

    # -- voxels ---------------------------------------------------------------------------

    @property
    def data(self) -> LazyView:
        """A lazy, numpy-like view in ``axes`` order: ``data[...]`` reads what it selects."""
        return LazyView(
            self._stack.read,
            self._stack.shape,
            self._stack.dtype,
            order=self._order,
            name=f"TiffArray {self.name!r} data",
        )

    def _read(self, roi: Roi) -> np.ndarray:
        return np.asarray(self.data[self._slices(roi)])

    def __repr__(self) -> str:
        return f"TiffArray({self.name!r}, {str(self.file_name)!r}, axes={self._axes})"


def _example(letters: str) -> list[str]:
    names = [_NAMES.get(letter, "z") for letter in letters]
    return names if len(set(names)) == len(names) else default_axes(min(len(letters), 4))
