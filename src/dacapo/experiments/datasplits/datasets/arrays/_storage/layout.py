"""The layout of a dataset to create: stored axes, shape and chunks from the caller's request.

A single channel (``num_channels`` ``None`` or 1) is stored without a ``c`` axis, several
with ``c`` first; chunks follow ``write_size`` (default: :func:`default_chunk_shape`, a
power-of-two cube of about 2 MiB), clipped to the ROI, with all channels in every chunk. A
zarr v3 dataset may group its chunks into shards (``shards``, voxels, whole chunks).
"""

from __future__ import annotations

import math
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

#: Default bytes per chunk when no write size is given (a power of two per side, see
#: :func:`default_chunk_shape`).
DEFAULT_CHUNK_BYTES = 2 * 2**20
CHANNEL = "c"


def default_chunk_shape(dtype: Any, channels: int | None, dims: int) -> Coordinate:
    """A power-of-two cube of about :data:`DEFAULT_CHUNK_BYTES`, 16 to 256 voxels a side.

    Powers of two halve evenly through pyramid levels, tile shards and the 2x2x2 blocks of
    the writer; 2 MiB decodes in about a millisecond and is 1-3 neuroglancer requests.

    >>> default_chunk_shape(np.dtype("uint8"), None, 3)
    (128, 128, 128)
    >>> default_chunk_shape(np.dtype("uint64"), channels=None, dims=3)
    (64, 64, 64)
    """
    voxels = DEFAULT_CHUNK_BYTES / (np.dtype(dtype).itemsize * (channels or 1))
    side = 2 ** round(math.log2(voxels) / dims)
    return Coordinate((min(256, max(16, side)),) * dims)


@attrs.frozen
class Layout:
    axes: list[str]
    shape: tuple[int, ...]
    chunks: tuple[int, ...]
    dtype: np.dtype[Any]
    voxel_size: Coordinate
    roi: Roi
    #: Shard shape (zarr v3 only), like ``chunks``; ``None``: no sharding.
    shards: tuple[int, ...] | None = None

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
    """Spatial chunk shape in voxels: ``write_size / voxel_size`` (default
    :func:`default_chunk_shape`), clipped to the ROI."""
    if write_size is None:
        write_size = default_chunk_shape(dtype, channels, voxel_size.dims) * voxel_size
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
    shard_shape: Any = None,
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
    shards = None if shard_shape is None else shards_for(shard_shape, chunks, shape)
    if channels is None:
        return Layout(spatial, shape, chunks, dtype, voxel, roi, shards)
    return Layout(
        [CHANNEL, *spatial],
        (channels, *shape),
        (channels, *chunks),
        dtype,
        voxel,
        roi,
        None if shards is None else (channels, *shards),
    )


def shards_for(
    shard_shape: Any, chunks: tuple[int, ...], shape: tuple[int, ...]
) -> tuple[int, ...]:
    """Spatial shard shape in voxels: whole chunks, clipped to the chunks that cover ``shape``.

    >>> shards_for((256, 256, 256), (64, 64, 64), (1000, 100, 1000))
    (256, 128, 256)
    """
    shards = to_coordinate(shard_shape, "shard_shape")
    if shards.dims != len(chunks) or any(
        s <= 0 or s % c for s, c in zip(shards, chunks, strict=True)
    ):
        raise GeometryError(
            f"shard shape {format_coordinate(shards)} is not a whole number of chunks "
            f"{format_coordinate(Coordinate(chunks))} per spatial axis; use a multiple, e.g. "
            f"{format_coordinate(Coordinate(chunks) * 4)}"
        )
    return tuple(
        min(int(s), -(-n // c) * c) for s, c, n in zip(shards, chunks, shape, strict=True)
    )
