"""What a write produces, decided once in the main process: datasets, ROIs, blocks, levels.

A :class:`Plan` is plain data (JSON): it travels to every worker, local or remote, and its
fingerprint tells a resumed write from a different one.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from typing import Any
from urllib.parse import urlsplit

import attrs
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    Array,
    ArrayConfig,
    ArrayIdentifier,
    GeometryError,
)
from dacapo.experiments.datasplits.datasets.arrays._geometry import (
    check_request,
    format_coordinate,
    format_roi,
    to_coordinate,
)

from .downsample import method_for

#: The default chunk holds about this many bytes (a power of two per side); the default
#: block is 2 x 2 x 2 chunks, so tensorstore encodes several chunks of a block in parallel.
CHUNK_BYTES = 2 * 2**20
BLOCK_CHUNKS = 2


@attrs.frozen
class Level:
    """One dataset of the output: ``s0`` (the array itself) or a pyramid level."""

    index: int
    dataset: str
    roi: Roi
    voxel_size: Coordinate
    #: Block shape in voxels: the unit of work, a whole number of chunks.
    block_shape: Coordinate
    #: Chunk shape of the dataset in voxels.
    chunk_shape: Coordinate
    #: How level ``index`` is made from level ``index - 1``; ``None`` for the first level.
    downsample: str | None = None

    @property
    def block(self) -> Roi:
        """The block at the origin, in world units (daisy's read and write ROI)."""
        return Roi((0,) * self.voxel_size.dims, self.block_shape * self.voxel_size)

    @property
    def task_id(self) -> str:
        return f"s{self.index}"

    @property
    def num_blocks(self) -> int:
        grid = self.roi.shape / self.voxel_size
        return math.prod(-(-int(g) // int(b)) for g, b in zip(grid, self.block_shape, strict=True))

    @property
    def num_voxels(self) -> int:
        return math.prod(int(s) for s in self.roi.shape / self.voxel_size)


@attrs.frozen
class Plan:
    """Everything a worker needs: the config as plain data, the target and the levels."""

    config: dict[str, Any]
    container: str
    #: Stored axes (no ``c`` for a single channel).
    axes: list[str]
    num_channels: int | None
    dtype: str
    #: The array has a ``c`` axis of length 1, stored without it.
    squeeze: bool
    levels: list[Level]

    def to_json(self) -> dict[str, Any]:
        data = attrs.asdict(self, recurse=False)
        data["levels"] = [
            {
                "index": lv.index,
                "dataset": lv.dataset,
                "roi": [list(map(int, lv.roi.offset)), list(map(int, lv.roi.shape))],
                "voxel_size": list(map(int, lv.voxel_size)),
                "block_shape": list(map(int, lv.block_shape)),
                "chunk_shape": list(map(int, lv.chunk_shape)),
                "downsample": lv.downsample,
            }
            for lv in self.levels
        ]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        levels = [
            Level(
                index=lv["index"],
                dataset=lv["dataset"],
                roi=Roi(*lv["roi"]),
                voxel_size=Coordinate(lv["voxel_size"]),
                block_shape=Coordinate(lv["block_shape"]),
                chunk_shape=Coordinate(lv["chunk_shape"]),
                downsample=lv["downsample"],
            )
            for lv in data["levels"]
        ]
        return cls(**{**data, "levels": levels})

    def fingerprint(self) -> str:
        text = json.dumps(self.to_json(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def identifier(self, level: Level) -> ArrayIdentifier:
        return ArrayIdentifier(self.container, level.dataset)


def _absolute(path: str) -> str:
    return os.path.abspath(path) if _is_local(path) else path


def _is_local(path: str) -> bool:
    scheme = urlsplit(path).scheme
    return scheme == "" or len(scheme) == 1  # a drive letter is not a URL scheme


def absolute_paths(data: Any) -> Any:
    """``data`` (a config as plain data) with relative local ``file_name`` paths made absolute,
    so a worker started in another directory (or on another machine) finds them."""
    if isinstance(data, dict):
        return {
            key: os.path.abspath(value)
            if key == "file_name" and isinstance(value, str) and _is_local(value)
            else absolute_paths(value)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [absolute_paths(value) for value in data]
    return data


def default_chunk_shape(dtype: np.dtype[Any], channels: int | None, dims: int) -> Coordinate:
    """A power-of-two cube of about :data:`CHUNK_BYTES`, 16 to 256 voxels a side.

    >>> default_chunk_shape(np.dtype("uint8"), None, 3)
    (128, 128, 128)
    >>> default_chunk_shape(np.dtype("uint64"), channels=None, dims=3)
    (64, 64, 64)
    """
    voxels = CHUNK_BYTES / (np.dtype(dtype).itemsize * (channels or 1))
    side = 2 ** round(math.log2(voxels) / dims)
    return Coordinate((min(256, max(16, side)),) * dims)


def _check_shape(value: Any, dims: int, what: str) -> Coordinate:
    shape = to_coordinate(value, what)
    if shape.dims != dims or any(s <= 0 for s in shape):
        raise GeometryError(
            f"{what} {format_coordinate(shape)} must give one positive number of voxels per "
            f"spatial axis ({dims} axes), e.g. {(64,) * dims}"
        )
    return shape


def blocks_and_chunks(
    block_shape: Any, chunk_shape: Any, array: Array
) -> tuple[Coordinate, Coordinate]:
    """Block and chunk shapes in voxels; a block is a whole number of chunks.

    Only a block shape: chunks are blocks. Neither: :func:`default_chunk_shape`, blocks of
    2 x 2 x 2 chunks.
    """
    dims = array.dims
    if chunk_shape is not None:
        chunks = _check_shape(chunk_shape, dims, "chunk_shape")
    elif block_shape is not None:
        chunks = _check_shape(block_shape, dims, "block_shape")
    else:
        chunks = default_chunk_shape(array.dtype, array.num_channels, dims)
    if block_shape is None:
        return chunks * BLOCK_CHUNKS, chunks
    blocks = _check_shape(block_shape, dims, "block_shape")
    if not blocks.is_multiple_of(chunks):
        raise GeometryError(
            f"block_shape {format_coordinate(blocks)} is not a whole number of chunks "
            f"{format_coordinate(chunks)}: blocks must not share chunks; use e.g. "
            f"{format_coordinate(chunks * BLOCK_CHUNKS)}"
        )
    return blocks, chunks


def _clip(shape: Coordinate, grid: Coordinate) -> Coordinate:
    return Coordinate(min(int(b), int(g)) for b, g in zip(shape, grid, strict=True))


def _levels(
    array: Array,
    roi: Roi,
    shapes: tuple[Coordinate, Coordinate],
    datasets: list[str],
    method: str | None,
) -> list[Level]:
    levels = []
    voxel_size = array.voxel_size
    for index, dataset in enumerate(datasets):
        if index > 0:
            voxel_size = voxel_size * 2
            roi = roi.snap_to_grid(voxel_size, mode="shrink")
            if roi.empty or any(s <= 0 for s in roi.shape):
                raise GeometryError(
                    f"pyramid level s{index} would be empty: the ROI is smaller than one voxel "
                    f"of {format_coordinate(voxel_size)}; ask for at most {index - 1} pyramid "
                    f"levels"
                )
        grid = roi.shape / voxel_size
        blocks, chunks = (_clip(shape, grid) for shape in shapes)
        downsample = method if index > 0 else None
        levels.append(Level(index, dataset, roi, voxel_size, blocks, chunks, downsample))
    return levels


def make_plan(
    config: ArrayConfig,
    array: Array,
    target: ArrayIdentifier,
    *,
    roi: Roi | None = None,
    block_shape: Any = None,
    chunk_shape: Any = None,
    pyramid_levels: int = 0,
    downsample: str = "auto",
) -> Plan:
    """Check the request against ``array`` (built from ``config``) and decide the output."""
    roi = array.roi if roi is None else roi
    roi = check_request(roi, array_roi=array.roi, voxel_size=array.voxel_size, name=array.name)
    if roi.empty:
        raise GeometryError(f"ROI {format_roi(roi)} is empty; write a non-empty ROI")
    if not isinstance(pyramid_levels, int) or pyramid_levels < 0:
        raise ValueError(f"pyramid_levels must be a whole number >= 0, got {pyramid_levels!r}")
    channels = array.num_channels
    squeeze = channels == 1
    shapes = blocks_and_chunks(block_shape, chunk_shape, array)
    dataset = target.dataset.strip("/")
    datasets = (
        [dataset]
        if pyramid_levels == 0
        else [f"{dataset}/s{k}" for k in range(pyramid_levels + 1)]
    )
    method = method_for(array, downsample) if pyramid_levels else None
    return Plan(
        config=absolute_paths(config.to_dict()),
        container=_absolute(str(target.container)),
        axes=[a for a in array.axes if not (squeeze and a == "c")],
        num_channels=None if squeeze else channels,
        dtype=np.dtype(array.dtype).str,
        squeeze=squeeze,
        levels=_levels(array, roi, shapes, datasets, method),
    )
