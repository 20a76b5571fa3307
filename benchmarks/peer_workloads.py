"""The peers topic's workloads, one library at a time: run by that library's own Python.

``python peer_workloads.py PEER JOB.json`` times one pass of every workload with PEER's
idiomatic API (after a warm-up call of each) and prints ``{workload: seconds or error}`` as
JSON. Standalone on purpose: the peers' environments have neither this project nor its
benchmarks package. Workloads (all on the harness's 512³ volumes, 64³ chunks):

* ``reads``: the job's random 128³ ROIs of the uint8 raw, one after the other;
* ``binarize``: the same ROIs of the uint64 labels, 2 groups of ids -> (2, 128³) uint8;
* ``normalize``: the raw ROIs to float32 in [0, 1] (min 0, max 255);
* ``resample``: 128³ outputs of the raw 2x down (mean of 2³, order 1 for the arrays) and 2x
  up (nearest), one ROI each way per source ROI;
* ``write``: the whole labels volume binarized (one group) into a new zarr, 64³ chunks.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

GROUPS = [("a", [3, 4]), ("b", [7])]
MASK_IDS = [3, 4, 5, 17]


def _groups(labels: np.ndarray) -> np.ndarray:
    out = np.zeros((len(GROUPS), *labels.shape), np.uint8)
    for channel, (_, ids) in enumerate(GROUPS):
        hit = labels == ids[0]
        for i in ids[1:]:
            hit |= labels == i
        out[channel] = hit
    return out


def _mask(labels: np.ndarray) -> np.ndarray:
    hit = labels == MASK_IDS[0]
    for i in MASK_IDS[1:]:
        hit |= labels == i
    return hit.view(np.uint8)


def _down(raw: np.ndarray) -> np.ndarray:
    z, y, x = (s // 2 for s in raw.shape)
    return raw.reshape(z, 2, y, 2, x, 2).mean(axis=(1, 3, 5), dtype=np.float32).astype(np.uint8)


def _up(raw: np.ndarray) -> np.ndarray:
    return raw.repeat(2, 0).repeat(2, 1).repeat(2, 2)


def _blocks(side: int, block: int) -> list[tuple[slice, ...]]:
    return [
        (slice(z, z + block), slice(y, y + block), slice(x, x + block))
        for z in range(0, side, block)
        for y in range(0, side, block)
        for x in range(0, side, block)
    ]


def _slices(begin: list[int], side: int) -> tuple[slice, ...]:
    return tuple(slice(b, b + side) for b in begin)


def _numpy_workloads(read_raw: Callable[[tuple[slice, ...]], np.ndarray],
                     read_labels: Callable[[tuple[slice, ...]], np.ndarray],
                     job: dict[str, Any]) -> dict[str, Callable[[], object]]:  # fmt: skip
    """Workloads for a library that reads numpy and leaves the computing to numpy."""
    rois, side = job["rois"], job["side"]
    down = [_slices(b, 2 * side) for b in job["down_rois"]]
    up = [_slices(b, side // 2) for b in job["up_rois"]]
    return {
        "reads": lambda: [read_raw(_slices(b, side)) for b in rois],
        "binarize": lambda: [_groups(read_labels(_slices(b, side))) for b in rois],
        "normalize": lambda: [
            read_raw(_slices(b, side)).astype(np.float32) / np.float32(255) for b in rois
        ],
        "resample": lambda: [_down(read_raw(s)) for s in down] + [_up(read_raw(s)) for s in up],
    }


def _loop_write(
    read: Callable[[tuple[slice, ...]], np.ndarray],
    write: Callable[[tuple[slice, ...], np.ndarray], None],
    side: int,
) -> None:
    """Blocks of 128³ read, masked and written on 2 threads (what a user would write)."""

    def one(index: tuple[slice, ...]) -> None:
        write(index, _mask(read(index)))

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(one, _blocks(side, 128)))


def zarr_python(job: dict[str, Any]) -> dict[str, Callable[[], object]]:
    import zarr

    raw = zarr.open_array(job["raw"], mode="r")
    labels = zarr.open_array(job["labels"], mode="r")
    work = _numpy_workloads(raw.__getitem__, labels.__getitem__, job)

    def write() -> None:
        out = zarr.create_array(job["out"], shape=labels.shape, chunks=(64,) * 3,
                                dtype="uint8", zarr_format=2, overwrite=True)  # fmt: skip
        _loop_write(labels.__getitem__, out.__setitem__, labels.shape[0])

    return {**work, "write": write}


def dask(job: dict[str, Any]) -> dict[str, Callable[[], object]]:
    import dask.array as da
    import zarr

    raw = da.from_zarr(job["raw"])
    labels = da.from_zarr(job["labels"], chunks=(128,) * 3)

    def compute(array: Any) -> Callable[[tuple[slice, ...]], np.ndarray]:
        return lambda index: array[index].compute(scheduler="threads", num_workers=2)

    work = _numpy_workloads(compute(raw), compute(labels), job)

    def write() -> None:
        out = zarr.create_array(job["out"], shape=labels.shape, chunks=(64,) * 3,
                                dtype="uint8", zarr_format=2, overwrite=True)  # fmt: skip
        mask = labels.map_blocks(_mask, dtype=np.uint8)
        da.store(mask, out, lock=False, scheduler="threads", num_workers=2)

    return {**work, "write": write}


def funlib(job: dict[str, Any]) -> dict[str, Callable[[], object]]:
    from funlib.geometry import Roi
    from funlib.persistence import open_ds, prepare_ds

    raw = open_ds(job["raw"])
    labels = open_ds(job["labels"])
    voxel = raw.voxel_size

    def by_roi(array: Any) -> Callable[[tuple[slice, ...]], np.ndarray]:
        def read(index: tuple[slice, ...]) -> np.ndarray:
            begin = [s.start * v for s, v in zip(index, voxel, strict=True)]
            shape = [(s.stop - s.start) * v for s, v in zip(index, voxel, strict=True)]
            return array[Roi(begin, shape)]  # type: ignore[no-any-return]

        return read

    work = _numpy_workloads(by_roi(raw), by_roi(labels), job)

    def write() -> None:
        shutil.rmtree(job["out"], ignore_errors=True)
        out = prepare_ds(job["out"], shape=labels.shape, voxel_size=voxel,
                         chunk_shape=(64,) * 3, dtype=np.uint8, mode="w")  # fmt: skip
        reader = by_roi(labels)

        def put(index: tuple[slice, ...], data: np.ndarray) -> None:
            begin = [s.start * v for s, v in zip(index, voxel, strict=True)]
            shape = [d * v for d, v in zip(data.shape, voxel, strict=True)]
            out[Roi(begin, shape)] = data

        _loop_write(reader, put, labels.shape[0])

    return {**work, "write": write}


def _array_configs(module: Any, job: dict[str, Any]) -> tuple[Any, Any]:
    raw = module.ZarrArrayConfig(name="raw", file_name=job["container"], dataset="raw")
    labels = module.ZarrArrayConfig(name="labels", file_name=job["container"], dataset="labels")
    return raw, labels


def _array_workloads(module: Any, job: dict[str, Any], open_array: Callable[[Any], Any]
                     ) -> tuple[dict[str, Callable[[], object]], Any]:  # fmt: skip
    """The arrays' own kinds: ZarrArray, BinarizeArray, IntensitiesArray, ResampledArray."""
    from funlib.geometry import Roi

    raw_config, labels_config = _array_configs(module, job)
    raw = open_array(raw_config)
    binarize = open_array(module.BinarizeArrayConfig(
        name="groups", source_array_config=labels_config, groupings=GROUPS))  # fmt: skip
    normalize = open_array(module.IntensitiesArrayConfig(
        name="norm", source_array_config=raw_config, min=0, max=255))  # fmt: skip
    down = open_array(module.ResampledArrayConfig(
        name="down", source_array_config=raw_config, upsample=(1, 1, 1),
        downsample=(2, 2, 2), interp_order=1))  # fmt: skip
    up = open_array(module.ResampledArrayConfig(
        name="up", source_array_config=raw_config, upsample=(2, 2, 2),
        downsample=(1, 1, 1), interp_order=0))  # fmt: skip
    voxel, side = raw.voxel_size, job["side"]

    def rois(begins: list[list[int]], source_side: int, factor: float) -> list[Any]:
        # world ROIs of ``side`` output voxels of ``voxel * factor``, at the source voxels
        return [Roi([b * v for b, v in zip(begin, voxel, strict=True)],
                    [int(source_side * v) for v in voxel]) for begin in begins]  # fmt: skip

    plain = rois(job["rois"], side, 1)
    downs = rois(job["down_rois"], 2 * side, 2)
    ups = rois(job["up_rois"], side // 2, 0.5)
    return {
        "reads": lambda: [raw[r] for r in plain],
        "binarize": lambda: [binarize[r] for r in plain],
        "normalize": lambda: [normalize[r] for r in plain],
        "resample": lambda: [down[r] for r in downs] + [up[r] for r in ups],
    }, labels_config


def ours(job: dict[str, Any]) -> dict[str, Callable[[], object]]:
    from dacapo.experiments.datasplits.datasets import arrays
    from dacapo_arrays.blockwise import write as blockwise_write

    work, labels = _array_workloads(arrays, job, lambda config: config.create_array())
    mask = arrays.BinarizeArrayConfig(
        name="mito", source_array_config=labels, groupings=[("mito", MASK_IDS)]
    )

    def write() -> None:
        blockwise_write(mask, arrays.ArrayIdentifier(job["out"], "mito"), chunk_shape=(64,) * 3,
                        workers=2, overwrite=True, progress=False)  # fmt: skip

    return {**work, "write": write}


def dacapo_030(job: dict[str, Any]) -> dict[str, Callable[[], object]]:
    from dacapo.experiments.datasplits.datasets import arrays

    work, labels = _array_workloads(arrays, job, lambda config: config.array_type(config))
    mask = arrays.BinarizeArrayConfig(
        name="mito", source_array_config=labels, groupings=[("mito", MASK_IDS)]
    )

    def write() -> None:
        # DaCapo 0.3.0 writes blockwise through daisy in its own runs; here its arrays are
        # read block by block on 2 threads into a ZarrArray it creates (its usual write path)
        from pathlib import Path

        from dacapo.store.array_store import LocalArrayIdentifier
        from funlib.geometry import Coordinate, Roi

        from dacapo.experiments.datasplits.datasets.arrays import ZarrArray

        source = mask.array_type(mask)
        voxel = source.voxel_size
        shutil.rmtree(job["out"], ignore_errors=True)
        out = ZarrArray.create_from_array_identifier(
            LocalArrayIdentifier(Path(job["out"]), "mito"), ["z", "y", "x"], source.roi,
            None, voxel, np.uint8, write_size=Coordinate((64,) * 3) * voxel,
        )  # fmt: skip

        def one(index: tuple[slice, ...]) -> None:
            begin = [s.start * v for s, v in zip(index, voxel, strict=True)]
            shape = [(s.stop - s.start) * v for s, v in zip(index, voxel, strict=True)]
            out[Roi(begin, shape)] = source[Roi(begin, shape)][0]

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(one, _blocks(job["volume"], 128)))

    return {**work, "write": write}


PEERS = {"ours": ours, "zarr-python": zarr_python, "dask": dask,
         "funlib.persistence": funlib, "DaCapo 0.3.0": dacapo_030}  # fmt: skip


def main(peer: str, job_file: str) -> None:
    with open(job_file) as file:
        job = json.load(file)
    results: dict[str, Any] = {}
    try:
        workloads = PEERS[peer](job)
    except Exception as err:  # reported per peer; the other peers go on
        print(json.dumps({"error": f"{type(err).__name__}: {err}"}))
        return
    for name, function in workloads.items():
        try:
            function()  # warm-up: open handles, page cache
            start = time.perf_counter()
            function()
            results[name] = time.perf_counter() - start
        except Exception as err:
            results[name] = f"{type(err).__name__}: {str(err).splitlines()[0][:200]}"
    print(json.dumps(results))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
