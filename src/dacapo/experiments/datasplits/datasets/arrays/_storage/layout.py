"""The layout of a dataset to create: stored axes, shape and chunks from the caller's request.

A single channel (``num_channels`` ``None`` or 1) is stored without a ``c`` axis, several
with ``c`` first; chunks follow ``write_size`` (default: about 5 MiB per chunk, the original
DaCapo's rule), clipped to the ROI, with all channels in every chunk.
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays._geometry import (
    format_coordinate,
    format_roi,
    to_coordinate,
    to_roi,
)
from dacapo.experiments.datasplits.datasets.arrays.errors import GeometryError

#: Default bytes per chunk when no write size is given.
DEFAULT_CHUNK_BYTES = 5 * 2**20
CHANNEL = "c"


@attrs.frozen
class Layout:
    axes: list[str]
    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    dtype: np.dtype[Any]
    voxel_size: Coordinate
    roi: Roi

    def differences(self, found: Layout, requested: str | None, stored: str) -> list[str]:
        """How an existing dataset (``found``, stored as ``stored``) differs from this one."""
        return [
            f"{what}: existing {existing}, requested {wanted}"
            for what, existing, wanted in (
                ("format", stored, requested or stored),
                ("axes", found.axes, self.axes),
                ("shape", found.shape, self.shape),
                ("dtype", found.dtype, self.dtype),
                ("voxel_size", found.voxel_size, self.voxel_size),
                ("offset", found.roi.offset, self.roi.offset),
            )
            if existing != wanted
        ]


def chunk_shape_for(
    write_size: Any, voxel_size: Coordinate, roi: Roi, dtype: np.dtype[Any], channels: int | None
) -> tuple[int, ...]:
    """Spatial chunk shape in voxels: ``write_size / voxel_size`` (default about 5 MiB per
    chunk, channels included), clipped to the ROI."""
    if write_size is None:
        side = int(
            (DEFAULT_CHUNK_BYTES / (channels or 1) / dtype.itemsize) ** (1 / voxel_size.dims)
        )
        write_size = Coordinate((side,) * voxel_size.dims) * voxel_size
    write_size = to_coordinate(write_size, "write_size")
    if write_size.dims != voxel_size.dims or not write_size.is_multiple_of(voxel_size):
        raise GeometryError(
            f"write_size {format_coordinate(write_size)} is not a multiple of voxel size "
            f"{format_coordinate(voxel_size)}; pass whole voxels per spatial axis, e.g. "
            f"{format_coordinate(voxel_size * 64)}"
        )
    shape = roi.shape / voxel_size
    return tuple(
        max(1, min(int(w), int(s))) for w, s in zip(write_size / voxel_size, shape, strict=True)
    )


def layout_for(
    axes: list[str],
    roi: Any,
    num_channels: int | None,
    voxel_size: Any,
    dtype: Any,
    write_size: Any,
) -> Layout:
    """Check the request and derive what to store (see the module docstring)."""
    voxel = to_coordinate(voxel_size, "voxel_size")
    if any(v <= 0 for v in voxel):
        raise GeometryError(f"voxel_size must be positive; got {format_coordinate(voxel)}")
    roi = to_roi(roi, "roi")
    if roi.dims != voxel.dims or not (
        roi.begin.is_multiple_of(voxel) and roi.shape.is_multiple_of(voxel)
    ):
        raise GeometryError(
            f"roi {format_roi(roi)} of the dataset to create is not aligned with voxel_size "
            f"{format_coordinate(voxel)}; snap it with "
            f"roi.snap_to_grid({format_coordinate(voxel)})"
        )
    if num_channels is not None and (isinstance(num_channels, bool) or num_channels < 1):
        raise GeometryError(f"num_channels must be None or at least 1; got {num_channels!r}")
    spatial = [str(a) for a in axes if str(a) not in (CHANNEL, "c^")]
    if len(spatial) < voxel.dims:
        raise GeometryError(
            f"axes {list(axes)} name {len(spatial)} spatial axes, but voxel_size "
            f"{format_coordinate(voxel)} has {voxel.dims}; name one per spatial axis, e.g. "
            f"{['z', 'y', 'x'][-voxel.dims :]}"
        )
    spatial = spatial[-voxel.dims :]
    channels = None if num_channels in (None, 1) else int(num_channels)
    dtype = np.dtype(dtype)
    chunks = chunk_shape_for(write_size, voxel, roi, dtype, channels)
    shape = tuple(int(s) for s in roi.shape / voxel)
    if channels is None:
        return Layout(spatial, shape, chunks, dtype, voxel, roi)
    return Layout([CHANNEL, *spatial], (channels, *shape), (channels, *chunks), dtype, voxel, roi)
