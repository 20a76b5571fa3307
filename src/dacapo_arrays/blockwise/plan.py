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
    format_coordinate,
    format_roi,
)
from dacapo.experiments.datasplits.datasets.arrays._geometry import check_request
from dacapo.experiments.datasplits.datasets.arrays._storage.units import (
    NM,
    world_of,
    world_unit,
)

from .downsample import method_for
from .shapes import Shapes, clip, clip_to_units, shapes_for, split_for_workers


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
    #: Shard shape of the dataset in voxels (zarr v3), ``None``: not sharded.
    shard_shape: Coordinate | None = None

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
    #: The storage format asked for (``zarr2``, ``zarr3``, ``n5``), ``None``: the container's.
    format: str | None = None
    #: ``Array.is_labels`` of the array: labels get OME-NGFF ``image-label`` metadata.
    is_labels: bool | None = None
    #: The block shape the user asked for (voxels), ``None``: chosen per level.
    block_shape: list[int] | None = None
    #: The world unit of the tree (``ZarrArrayConfig.world_unit``), ``None``: nm. The levels'
    #: ROIs and voxel sizes are in it; the datasets store them in nm, and open with it.
    world_unit: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = attrs.asdict(self, recurse=False)
        if data["world_unit"] is None:
            del data["world_unit"]  # plans (and fingerprints) of nm writes are as before
        data["levels"] = [
            {
                "index": lv.index,
                "dataset": lv.dataset,
                "roi": [list(map(int, lv.roi.offset)), list(map(int, lv.roi.shape))],
                "voxel_size": list(map(int, lv.voxel_size)),
                "block_shape": list(map(int, lv.block_shape)),
                "chunk_shape": list(map(int, lv.chunk_shape)),
                "downsample": lv.downsample,
                "shard_shape": None if lv.shard_shape is None else list(map(int, lv.shard_shape)),
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
                shard_shape=None
                if lv.get("shard_shape") is None
                else Coordinate(lv["shard_shape"]),
            )
            for lv in data["levels"]
        ]
        return cls(**{**data, "levels": levels})

    def fingerprint(self) -> str:
        """What tells this write from another: everything but the block shapes chosen for
        the number of workers (a resumed write keeps the blocks of its first run)."""
        data = self.to_json()
        for level in data["levels"]:
            del level["block_shape"]
        text = json.dumps(data, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def identifier(self, level: Level) -> ArrayIdentifier:
        return ArrayIdentifier(
            self.container, level.dataset, format=self.format, world_unit=self.world_unit
        )

    @property
    def group(self) -> str:
        """The multiscale group holding the levels (``""``: the container's root)."""
        return self.levels[0].dataset.rpartition("/")[0]


def _format_of(container: str) -> str | None:
    """The format a container's suffix asks for: ``n5`` for ``*.n5``, else the container's."""
    return "n5" if container.rstrip("/").lower().endswith(".n5") else None


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


def _level_blocks(shapes: Shapes, grid: Coordinate, index: int, workers: int) -> Coordinate:
    """The block shape of a level: the requested one for ``s0``; otherwise split so that the
    level keeps every worker busy (see :func:`~.shapes.split_for_workers`)."""
    if shapes.block_given and index == 0:
        return shapes.block
    return split_for_workers(shapes.block, shapes.unit, grid, workers)


def _levels(
    array: Array,
    roi: Roi,
    shapes: Shapes,
    datasets: list[str],
    method: str | None,
    workers: int,
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
        blocks = clip(_level_blocks(shapes, grid, index, workers), grid)
        chunks = clip(shapes.chunk, grid)
        shards = None if shapes.shard is None else clip_to_units(shapes.shard, chunks, grid)
        downsample = method if index > 0 else None
        levels.append(Level(index, dataset, roi, voxel_size, blocks, chunks, downsample, shards))
    return levels


def level_datasets(dataset: str, pyramid_levels: int) -> list[str]:
    """The datasets of a write: always a multiscale group ``NAME/s0``, ``NAME/s1``, ...

    A dataset already named ``.../s0`` is the first level itself.

    >>> level_datasets("mito", 1), level_datasets("pred/mito/s0", 0)
    (['mito/s0', 'mito/s1'], ['pred/mito/s0'])
    """
    dataset = dataset.strip("/")
    group, _, last = dataset.rpartition("/")
    if last != "s0":
        group = dataset
    return [f"{group}/s{k}".lstrip("/") for k in range(pyramid_levels + 1)]


def make_plan(
    config: ArrayConfig,
    array: Array,
    target: ArrayIdentifier,
    *,
    roi: Roi | None = None,
    block_shape: Any = None,
    chunk_shape: Any = None,
    shard_shape: Any = None,
    pyramid_levels: int = 0,
    downsample: str = "auto",
    workers: int = 1,
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
    shapes = shapes_for(
        array, block_shape=block_shape, chunk_shape=chunk_shape, shard_shape=shard_shape
    )
    fmt = target.format or _format_of(str(target.container))
    if shapes.shard is not None and fmt not in (None, "zarr3"):
        raise GeometryError(
            f"shards are a zarr v3 feature, but {str(target.container)!r} is written as "
            f"{fmt}; write zarr3 (a .zarr container) to use shards, or leave them out"
        )
    datasets = level_datasets(target.dataset, pyramid_levels)
    method = method_for(array, downsample) if pyramid_levels else None
    return Plan(
        config=absolute_paths(config.to_dict()),
        container=_absolute(str(target.container)),
        axes=[a for a in array.axes if not (squeeze and a == "c")],
        num_channels=None if squeeze else channels,
        dtype=np.dtype(array.dtype).str,
        squeeze=squeeze,
        levels=_levels(array, roi, shapes, datasets, method, workers),
        format=fmt or ("zarr3" if shapes.shard is not None else None),
        is_labels=array.is_labels,
        block_shape=list(map(int, shapes.block)) if shapes.block_given else None,
        world_unit=_world_unit(array, target),
    )


def _world_unit(array: Array, target: ArrayIdentifier) -> str | None:
    """The tree's world unit (``None``: nm); a target that names another one is refused."""
    world = world_of(array.attrs)
    asked = getattr(target, "world_unit", None)
    if asked is not None and world_unit(asked).nm != world.nm:
        raise ValueError(
            f"the target's world_unit {asked!r} is not the world unit of {array.name!r} "
            f"({world.text!r}); leave ArrayIdentifier.world_unit out (the output takes the "
            f"tree's), or set {world.text!r}"
        )
    return None if world is NM else world.text
