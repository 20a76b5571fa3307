"""``ZarrArray``: a dataset in a zarr (v2, v3) or N5 container, read and written by ROI.

Voxels go through tensorstore; handles are opened lazily, once per process, and dropped when
pickling (tensorstore is not fork-safe). Metadata is read once, when the array is built.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np
import tensorstore as ts
from funlib.geometry import Coordinate, Roi

from ._geometry import check_request, format_coordinate, to_coordinate
from ._storage.formats import Format, detect
from ._storage.kvstore import Container, join
from ._storage.metadata import read_geometry
from .array import CHANNEL_AXIS, Array
from .errors import (
    ContainerNotFoundError,
    DatasetNotFoundError,
    GeometryError,
    IncompatibleDatasetError,
    ReadOnlyError,
)
from .numpy_array import check_axes, default_axes

if TYPE_CHECKING:
    from .array_config import ArrayIdentifier
    from .zarr_array_config import ZarrArrayConfig


class ZarrArray(Array):
    """A stored array in a zarr / N5 container (local path or cloud URL)."""

    _transient = ("_handle", "_handle_pid")

    def __init__(self, array_config: ZarrArrayConfig) -> None:
        self._config = array_config
        self.name = array_config.name
        self.file_name = array_config.file_name
        self.dataset = array_config.dataset.strip("/")
        self.snap_to_grid = array_config.snap_to_grid
        self._mode = array_config.mode
        self._container = Container(self.file_name)
        fmt = detect(self._container, self.dataset)
        if fmt is None:
            self._raise_missing()
        self._format: Format = fmt  # type: ignore[assignment]
        document = self._container.read_json(f"{self.dataset}/{self._format.array_key}") or {}
        self._shape, self._dtype = _shape_and_dtype(self._format, document)
        self._attrs = self._format.attrs_of(
            self._container.read_json(self._format.attrs_key(self.dataset)) or {}
        )
        self._init_geometry(array_config._axes)

    def _raise_missing(self) -> None:
        if not self._container.exists():
            raise ContainerNotFoundError(
                f"container {str(self.file_name)!r} does not exist; check "
                f"ZarrArrayConfig.file_name of array {self.name!r}"
            )
        raise DatasetNotFoundError(
            f"no dataset {self.dataset!r} in container {str(self.file_name)!r}; check "
            f"ZarrArrayConfig.dataset of array {self.name!r}"
        )

    def _init_geometry(self, axes: list[str] | None) -> None:
        geometry = read_geometry(self._attrs, reversed_axes=self._format.reversed_axes)
        ndim = len(self._shape)
        names = axes or geometry.axes or default_axes(ndim)
        self._axes = check_axes(list(names), ndim, f"dataset {self.dataset!r}")
        n_spatial = len([a for a in self._axes if a != CHANNEL_AXIS])
        self._voxel_size = geometry.voxel_size or Coordinate((1,) * n_spatial)
        offset = geometry.offset or Coordinate((0,) * n_spatial)
        spatial = Coordinate(self._shape[-n_spatial:])
        self._origin = offset
        roi = Roi(offset, spatial * self._voxel_size)
        if self.snap_to_grid is not None:
            grid = Coordinate(np.lcm(self._voxel_size, to_coordinate(self.snap_to_grid)))
            roi = roi.snap_to_grid(grid, mode="shrink")
        self._roi = roi

    # -- declared metadata ----------------------------------------------------------------

    @property
    def axes(self) -> list[str]:
        return list(self._axes)

    @property
    def voxel_size(self) -> Coordinate:
        return self._voxel_size

    @property
    def roi(self) -> Roi:
        return self._roi

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._dtype

    @property
    def num_channels(self) -> int | None:
        return int(self._shape[0]) if self._axes[0] == CHANNEL_AXIS else None

    @property
    def attrs(self) -> dict[str, Any]:
        return dict(self._attrs)

    @property
    def mode(self) -> str:
        return self._mode or "a"

    @property
    def writable(self) -> bool:
        return self.mode != "r"

    @property
    def _data_origin(self) -> Coordinate:
        return self._origin

    # -- voxels ---------------------------------------------------------------------------

    @property
    def _store(self) -> ts.TensorStore:
        if getattr(self, "_handle_pid", None) != os.getpid():
            spec = {
                "driver": self._format.driver,
                "kvstore": join(self._container.spec, self.dataset),
            }
            handle = ts.open(spec, read=True, write=self.writable).result()
            self._handle = handle.T if self._format.reversed_axes else handle
            self._handle_pid = os.getpid()
        return self._handle

    @property
    def data(self) -> ts.TensorStore:
        """The tensorstore handle: slice it, assign to it, or ``np.asarray`` it."""
        return self._store

    def _read(self, roi: Roi) -> np.ndarray:
        return self._store[self._slices(roi)].read().result()

    def _write(self, roi: Roi, value: np.ndarray) -> None:
        self._store[self._slices(roi)].write(value).result()

    # -- creating and opening by identifier -------------------------------------------------

    @classmethod
    def create_from_array_identifier(
        cls,
        array_identifier: ArrayIdentifier,
        axes: list[str],
        roi: Roi,
        num_channels: int | None,
        voxel_size: Any,
        dtype: Any,
        mode: str = "a",
        write_size: Any = None,
        name: str | None = None,
        overwrite: bool = False,
    ) -> ZarrArray:
        """Create (or reuse) a dataset and return it as a writable ``ZarrArray``.

        A single channel (``num_channels`` None or 1) is stored without a ``c`` axis, several
        with ``c`` first. Chunks are ``write_size / voxel_size`` (default: about 5 MB).
        """
        from ._storage.create import create_dataset, format_for, write_attributes

        voxel_size = to_coordinate(voxel_size, "voxel_size")
        roi = check_request(roi, array_roi=roi, voxel_size=voxel_size, name=name or "")
        dtype = np.dtype(dtype)
        spatial_axes = [a for a in axes if a != CHANNEL_AXIS][-voxel_size.dims :]
        channels = None if num_channels in (None, 1) else int(num_channels)
        stored_axes = spatial_axes if channels is None else [CHANNEL_AXIS, *spatial_axes]
        chunk = _chunk_shape(write_size, voxel_size, roi, dtype, channels)
        spatial_shape = tuple(int(s) for s in roi.shape / voxel_size)
        shape = spatial_shape if channels is None else (channels, *spatial_shape)
        chunks = chunk if channels is None else (channels, *chunk)
        container = Container(array_identifier.container)
        dataset = array_identifier.dataset.strip("/")
        fmt = detect(container, dataset)
        if fmt is None or overwrite:
            fmt = fmt or format_for(container, getattr(array_identifier, "format", None))
            create_dataset(
                container,
                dataset,
                fmt,
                shape=shape,
                dtype=dtype,
                chunks=chunks,
                delete_existing=overwrite,
            )
            write_attributes(
                container, fmt, dataset, _plain_attributes(fmt, stored_axes, roi, voxel_size)
            )
        config = _config(array_identifier, name or "", mode)
        array = cls(config)
        _check_compatible(array, stored_axes, roi, voxel_size, dtype, shape)
        return array

    @classmethod
    def open_from_array_identifier(
        cls, array_identifier: ArrayIdentifier, name: str = ""
    ) -> ZarrArray:
        """Open an existing dataset."""
        return cls(_config(array_identifier, name, None))

    def add_metadata(self, metadata: dict[str, Any]) -> None:
        """Merge ``metadata`` into the dataset's attributes and persist them."""
        from ._storage.create import write_attributes

        if not self.writable:
            raise ReadOnlyError(f"cannot add metadata to {self._label()}: {self._why_read_only()}")
        write_attributes(self._container, self._format, self.dataset, metadata)
        self._attrs.update(metadata)

    def _why_read_only(self) -> str:
        return "opened with mode 'r'; open it with ZarrArrayConfig(mode='a') to write"

    def __repr__(self) -> str:
        return f"ZarrArray({str(self.file_name)!r}, {self.dataset!r})"

    __str__ = __repr__


def _plain_attributes(
    fmt: Format, axes: list[str], roi: Roi, voxel_size: Coordinate
) -> dict[str, Any]:
    """``resolution``/``offset``/``axes``/``units``; N5 lists them x, y, z and keeps
    ``resolution``/``units`` for tensorstore (one per dimension), so it gets
    ``pixelResolution`` instead."""
    voxel = [int(v) for v in voxel_size]
    offset = [int(v) for v in roi.offset]
    if fmt.reversed_axes:
        return {
            "pixelResolution": {"dimensions": voxel[::-1], "unit": "nm"},
            "offset": offset[::-1],
            "axes": axes[::-1],
        }
    return {"resolution": voxel, "offset": offset, "axes": axes, "units": ["nm"] * len(voxel)}


def _config(identifier: ArrayIdentifier, name: str, mode: str | None) -> ZarrArrayConfig:
    from .zarr_array_config import ZarrArrayConfig

    return ZarrArrayConfig(
        name=name, file_name=identifier.container, dataset=identifier.dataset, mode=mode
    )


def _chunk_shape(
    write_size: Any, voxel_size: Coordinate, roi: Roi, dtype: np.dtype[Any], channels: int | None
) -> tuple[int, ...]:
    if write_size is None:
        side = int((5 * 2**20 / (channels or 1) / dtype.itemsize) ** (1 / voxel_size.dims))
        write_size = Coordinate((side,) * voxel_size.dims) * voxel_size
    write_size = to_coordinate(write_size, "write_size")
    if not write_size.is_multiple_of(voxel_size):
        raise GeometryError(
            f"write_size {format_coordinate(write_size)} is not a multiple of voxel size "
            f"{format_coordinate(voxel_size)}; pass whole voxels, e.g. "
            f"{format_coordinate((write_size // voxel_size) * voxel_size)}"
        )
    shape = roi.shape / voxel_size
    return tuple(
        max(1, min(int(w), int(s))) for w, s in zip(write_size / voxel_size, shape, strict=True)
    )


def _check_compatible(
    array: ZarrArray,
    axes: list[str],
    roi: Roi,
    voxel_size: Coordinate,
    dtype: np.dtype[Any],
    shape: tuple[int, ...],
) -> None:
    wanted = {"axes": axes, "roi": roi, "voxel_size": voxel_size, "dtype": dtype, "shape": shape}
    found = {
        "axes": array.axes,
        "roi": array.roi,
        "voxel_size": array.voxel_size,
        "dtype": array.dtype,
        "shape": array.shape,
    }
    differences = [
        f"{k}: existing {found[k]}, requested {wanted[k]}" for k in wanted if found[k] != wanted[k]
    ]
    if differences:
        raise IncompatibleDatasetError(
            f"dataset {array.dataset!r} in {str(array.file_name)!r} exists and differs from the "
            f"requested one ({'; '.join(differences)}); pass overwrite=True to replace it, or "
            f"write to another dataset"
        )


def _shape_and_dtype(
    fmt: Format, document: dict[str, Any]
) -> tuple[tuple[int, ...], np.dtype[Any]]:
    if fmt.name == "n5":
        return tuple(document["dimensions"])[::-1], np.dtype(document["dataType"])
    if fmt.name == "zarr3":
        return tuple(document["shape"]), np.dtype(document["data_type"])
    return tuple(document["shape"]), np.dtype(document["dtype"])
