"""Chunk, shard and block shapes of a write, in voxels, and how a level is cut into blocks.

* **Chunks** (the unit of storage): ``chunk_shape``, else the model's
  :func:`default_chunk_shape` (a power-of-two cube of about 2 MiB: 128³ for uint8, 64³ for
  uint64), else the block shape when only that is given.
* **Shards** (zarr v3 only, optional): ``shard_shape``, whole chunks; a shard is one file.
* **Blocks** (the unit of work): ``block_shape``, whole shards (or whole chunks without
  shards), so two workers never write the same chunk or shard file. Default: one shard, or
  2 x 2 x 2 chunks without shards.

A level whose block shape was not given is cut into at least as many blocks as there are
workers, as long as it has that many chunks (shards): see :func:`split_for_workers`.
"""

from __future__ import annotations

import math
from typing import Any

import attrs
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays import Array, GeometryError, format_coordinate
from dacapo.experiments.datasplits.datasets.arrays._geometry import to_coordinate
from dacapo.experiments.datasplits.datasets.arrays._storage.layout import default_chunk_shape

#: The default block is this many chunks per axis (when there are no shards).
BLOCK_CHUNKS = 2


@attrs.frozen
class Shapes:
    """The requested shapes of a write, in voxels; ``block_given``: the user chose blocks."""

    block: Coordinate
    chunk: Coordinate
    shard: Coordinate | None
    block_given: bool

    @property
    def unit(self) -> Coordinate:
        """What a block is made of: shards, or chunks without them."""
        return self.chunk if self.shard is None else self.shard


def check_shape(value: Any, dims: int, what: str) -> Coordinate:
    shape = to_coordinate(value, what)
    if shape.dims != dims or any(s <= 0 for s in shape):
        raise GeometryError(
            f"{what} {format_coordinate(shape)} must give one positive number of voxels per "
            f"spatial axis ({dims} axes), e.g. {(64,) * dims}"
        )
    return shape


def _whole(outer: Coordinate, inner: Coordinate, what: str, of: str) -> None:
    if not outer.is_multiple_of(inner):
        raise GeometryError(
            f"{what} {format_coordinate(outer)} is not a whole number of {of} "
            f"{format_coordinate(inner)}: {what.split('_')[0]}s must not share {of}; use e.g. "
            f"{format_coordinate(inner * BLOCK_CHUNKS)}"
        )


def shapes_for(
    array: Array, *, block_shape: Any = None, chunk_shape: Any = None, shard_shape: Any = None
) -> Shapes:
    """Check the requested shapes against each other (see the module docstring)."""
    dims = array.dims
    if chunk_shape is not None:
        chunks = check_shape(chunk_shape, dims, "chunk_shape")
    elif block_shape is not None and shard_shape is None:
        chunks = check_shape(block_shape, dims, "block_shape")
    else:
        chunks = default_chunk_shape(array.dtype, array.num_channels, dims)
    shards = None
    if shard_shape is not None:
        shards = check_shape(shard_shape, dims, "shard_shape")
        _whole(shards, chunks, "shard_shape", "chunks")
    unit = chunks if shards is None else shards
    if block_shape is None:
        blocks = chunks * BLOCK_CHUNKS if shards is None else shards
        return Shapes(blocks, chunks, shards, block_given=False)
    blocks = check_shape(block_shape, dims, "block_shape")
    _whole(blocks, unit, "block_shape", "chunks" if shards is None else "shards")
    return Shapes(blocks, chunks, shards, block_given=True)


def clip(shape: Coordinate, grid: Coordinate) -> Coordinate:
    return Coordinate(min(int(b), int(g)) for b, g in zip(shape, grid, strict=True))


def clip_to_units(shape: Coordinate, unit: Coordinate, grid: Coordinate) -> Coordinate:
    """``shape`` clipped to the whole ``unit``\\ s that cover ``grid`` (a shard stays chunks)."""
    return Coordinate(
        min(int(s), -(-int(g) // int(u)) * int(u))
        for s, u, g in zip(shape, unit, grid, strict=True)
    )


def count(grid: Coordinate, block: Coordinate) -> int:
    return math.prod(-(-int(g) // int(b)) for g, b in zip(grid, block, strict=True))


def split_for_workers(
    block: Coordinate, unit: Coordinate, grid: Coordinate, workers: int
) -> Coordinate:
    """``block`` halved (in whole ``unit``\\ s, largest extent first) until ``grid`` holds at
    least ``workers`` blocks, or blocks are one unit.

    >>> split_for_workers(Coordinate(256, 256, 256), Coordinate(128, 128, 128),
    ...                   Coordinate(256, 256, 256), 2)
    (128, 256, 256)
    >>> split_for_workers(Coordinate(256, 256, 256), Coordinate(128, 128, 128),
    ...                   Coordinate(256, 256, 256), 50)
    (128, 128, 128)
    """
    units = [-(-int(b) // int(u)) for b, u in zip(block, unit, strict=True)]
    while count(grid, Coordinate(n * int(u) for n, u in zip(units, unit, strict=True))) < workers:
        extents = [
            min(n * int(u), int(g)) if n > 1 else 0
            for n, u, g in zip(units, unit, grid, strict=True)
        ]
        axis = max(range(len(units)), key=lambda i: extents[i])
        if extents[axis] == 0:
            break
        units[axis] = -(-units[axis] // 2)
    return Coordinate(n * int(u) for n, u in zip(units, unit, strict=True))
