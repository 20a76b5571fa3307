"""ZarrArray IO beside raw tensorstore (the ceiling) and zarr-python 2 (what users know).

Random 128³ ROI reads (voxel-aligned, not chunk-aligned), whole-volume reads and whole-volume
writes, on the harness's 512³ uint8 raw and uint64 labels (64³ chunks, blosc lz4). The three
contenders run interleaved, in every order in turn; rows give each one's median round and
the spread, so a busy machine slows all of them alike. Raw tensorstore gets the same
context options as ZarrArray (``CONTEXT_SPEC``: no fsync per chunk, like zarr-python).
"""

from __future__ import annotations

import itertools
import resource
import shutil
import statistics
import time
from collections.abc import Callable

import numcodecs
import numpy as np
import tensorstore as ts
import zarr
from funlib.geometry import Coordinate

from benchmarks.harness import CHUNK, VOXEL, Data, Row, Timing, random_rois
from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray
from dacapo.experiments.datasplits.datasets.arrays._storage.kvstore import CONTEXT_SPEC

ROI_SIDE = 128
ROI_COUNT = 32
ROUNDS = 12
REFERENCE = "raw tensorstore"


def _cpu_seconds() -> float:
    """CPU time of this process, all threads (tensorstore's included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def race(
    contenders: dict[str, Callable[[], object]], rounds: int = ROUNDS
) -> tuple[dict[str, Timing], dict[str, float]]:
    """Wall seconds of each contender per round and its median CPU seconds, over ``rounds``
    rounds after a warm-up. Each round runs the contenders in another order (all
    permutations in turn): a run right after zarr-python's is slower (it leaves the
    allocator with memory to give back), so a fixed order would handicap whoever follows
    it. CPU time does not depend on what else the machine is doing."""
    wall: dict[str, list[float]] = {name: [] for name in contenders}
    cpu: dict[str, list[float]] = {name: [] for name in contenders}
    for function in contenders.values():
        function()
    orders = list(itertools.permutations(contenders))
    for round_ in range(rounds):
        for name in orders[round_ % len(orders)]:
            start, start_cpu = time.perf_counter(), _cpu_seconds()
            contenders[name]()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(_cpu_seconds() - start_cpu)
    timings = {name: Timing(tuple(seconds)) for name, seconds in wall.items()}
    return timings, {name: statistics.median(seconds) for name, seconds in cpu.items()}


def rows_for(
    task: str, nbytes: int, timings: tuple[dict[str, Timing], dict[str, float]]
) -> list[Row]:
    seconds, cpu = timings
    ceiling = seconds["tensorstore"]
    ours = seconds["ZarrArray"]
    theirs = seconds["zarr-python"]
    return [
        ceiling.row(f"{task}: tensorstore", nbytes, note="the ceiling"),
        theirs.row(f"{task}: zarr-python {zarr.__version__}", nbytes,
                   (theirs.over(ceiling), REFERENCE)),
        ours.row(
            f"{task}: ZarrArray",
            nbytes,
            (ours.over(ceiling), REFERENCE),
            note=f"{ours.over(theirs):.1f}x zarr-python; CPU time "
            f"{cpu['ZarrArray'] / cpu['tensorstore']:.2f}x tensorstore's, "
            f"{cpu['ZarrArray'] / cpu['zarr-python']:.2f}x zarr-python's",
        ),
    ]  # fmt: skip


def _reads(data: Data, kind: str) -> list[Row]:
    config = data.raw if kind == "raw" else data.labels
    array = config.to_array()
    path = str(config.file_name / config.dataset)
    raw_ts = ts.open(
        {"driver": "zarr", "kvstore": f"file://{path}/"},
        read=True,
        context=ts.Context(CONTEXT_SPEC),
    ).result()
    with_zarr = zarr.open(path, mode="r")
    rois = random_rois(array.roi, VOXEL * ROI_SIDE, ROI_COUNT, seed=1)
    slices = [array._slices(roi) for roi in rois]
    label = f"{kind} {array.dtype}"
    random = race(
        {
            "tensorstore": lambda: [raw_ts[s].read().result() for s in slices],
            "zarr-python": lambda: [with_zarr[s] for s in slices],
            "ZarrArray": lambda: [array[roi] for roi in rois],
        }
    )
    whole = race(
        {
            "tensorstore": lambda: raw_ts.read().result(),
            "zarr-python": lambda: with_zarr[...],
            "ZarrArray": lambda: array[array.roi],
        },
        rounds=6,
    )
    itemsize = array.dtype.itemsize
    return [
        *rows_for(
            f"random {ROI_SIDE}³ reads, {label}", ROI_COUNT * ROI_SIDE**3 * itemsize, random
        ),
        *rows_for(f"whole-volume read, {label}", int(np.prod(array.shape)) * itemsize, whole),
    ]


def _writes(data: Data, kind: str) -> list[Row]:
    config = data.raw if kind == "raw" else data.labels
    source = config.to_array()
    volume = source[source.roi]
    scratch = data.folder / "scratch.zarr"
    ours = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(scratch, "ours"),
        source.axes,
        source.roi,
        None,
        source.voxel_size,
        source.dtype,
        write_size=VOXEL * CHUNK,
        overwrite=True,
    )
    spec = {"driver": "zarr", "kvstore": f"file://{scratch}/tensorstore/"}
    metadata = {
        "shape": list(volume.shape),
        "chunks": [CHUNK] * 3,
        "dtype": volume.dtype.str,
        "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
        "dimension_separator": "/",
    }
    raw_ts = ts.open(
        spec | {"metadata": metadata},
        create=True,
        delete_existing=True,
        context=ts.Context(CONTEXT_SPEC),
    ).result()
    with_zarr = zarr.open(
        str(scratch / "zarr-python"),
        mode="w",
        shape=volume.shape,
        chunks=(CHUNK,) * 3,
        dtype=volume.dtype,
        compressor=numcodecs.Blosc("lz4", 5, numcodecs.Blosc.SHUFFLE),
        dimension_separator="/",
    )

    def write_ours() -> None:
        ours[ours.roi] = volume

    def write_zarr() -> None:
        with_zarr[...] = volume

    try:
        seconds = race(
            {
                "tensorstore": lambda: raw_ts.write(volume).result(),
                "zarr-python": write_zarr,
                "ZarrArray": write_ours,
            },
            rounds=3,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    label = f"whole-volume write, {kind} {volume.dtype}"
    return rows_for(label, volume.nbytes, seconds)


def run(data: Data) -> list[Row]:
    chunks = data.raw.to_array().chunk_shape
    if Coordinate(chunks) != Coordinate((CHUNK,) * 3):
        raise RuntimeError(
            f"the benchmark data in {data.folder} has chunks {chunks}, not {CHUNK}³; delete "
            f"that folder and run again to recreate it"
        )
    rows: list[Row] = []
    for kind in ("raw", "labels"):
        rows.extend(_reads(data, kind))
    for kind in ("raw", "labels"):
        rows.extend(_writes(data, kind))
    return rows
