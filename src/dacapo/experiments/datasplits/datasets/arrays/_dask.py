"""``Array.to_dask``: one dask task per chunk, each a plain ``array[roi]`` call."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import numpy as np
from funlib.geometry import Coordinate, Roi

from ._geometry import to_coordinate
from ._limits import check_blocks, grid_count
from .errors import GeometryError

if TYPE_CHECKING:
    import dask.array

    from .array import Array


def _read_block(array: Array, roi: Roi) -> np.ndarray:
    return array[roi]


def _check_chunks(chunks: tuple[int, ...], dims: int) -> Coordinate:
    shape = to_coordinate(chunks, "chunks")
    if shape.dims != dims or any(c <= 0 for c in shape):
        raise GeometryError(
            f"chunks {tuple(shape)} must give one positive number of voxels per spatial axis "
            f"({dims} axes, no channel axis), e.g. {(64,) * dims}"
        )
    return shape


def array_to_dask(
    array: Array, chunks: tuple[int, ...] | None = None, *, force: bool = False
) -> dask.array.Array:
    if chunks is None:
        chunks = getattr(array, "chunk_shape", None) or (64,) * array.dims
        chunks = tuple(chunks)[-array.dims :]  # a kind's chunk_shape may include channels
    chunk = _check_chunks(chunks, array.dims) * array.voxel_size
    roi = array.roi
    count = grid_count(roi.shape / array.voxel_size, chunk / array.voxel_size)
    check_blocks(f"the dask graph of {array._label()}", count, force=force)
    try:
        import dask
        import dask.array as da
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "Array.to_dask needs dask; install it with `pip install dacapo-arrays[dask]`"
        ) from err
    starts = [range(b, e, c) for b, e, c in zip(roi.begin, roi.end, chunk, strict=True)]
    channels = array.num_channels
    grid: list[object] = []
    for begin in itertools.product(*starts):
        offset = Coordinate(begin)
        block = Roi(offset, chunk).intersect(roi)
        shape = tuple(int(s) for s in block.shape / array.voxel_size)
        if channels is not None:
            shape = (channels, *shape)
        delayed = dask.delayed(_read_block, pure=True)(array, block)
        grid.append(da.from_delayed(delayed, shape=shape, dtype=array.dtype))
    counts = [len(r) for r in starts]
    nested = np.empty(counts, dtype=object)
    for index, piece in zip(itertools.product(*map(range, counts)), grid, strict=True):
        nested[index] = piece
    blocks = nested.tolist()
    # da.block nests one list level per output dimension: the channel axis is one block.
    return da.block([blocks] if channels is not None else blocks)
