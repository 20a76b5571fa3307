"""ZarrArray IO beside raw tensorstore (the ceiling) and zarr-python 2 (what users know).

Random 128³ ROI reads (voxel-aligned, not chunk-aligned), whole-volume reads and whole-volume
writes, on the harness's 512³ uint8 raw and uint64 labels (64³ chunks, blosc lz4). The three
contenders run interleaved, several rounds, and each keeps its best round, so a busy machine
slows all of them alike. Raw tensorstore gets the same context options as ZarrArray
(``CONTEXT_SPEC``: no fsync per chunk, like zarr-python).
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable

import numcodecs
import numpy as np
import tensorstore as ts
import zarr
from funlib.geometry import Coordinate

from benchmarks.harness import CHUNK, VOXEL, Data, Row, mbps, random_rois
from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray
from dacapo.experiments.datasplits.datasets.arrays._storage.kvstore import CONTEXT_SPEC

ROI_SIDE = 128
ROI_COUNT = 24
ROUNDS = 5
REFERENCE = "raw tensorstore"


def race(contenders: dict[str, Callable[[], object]], rounds: int = ROUNDS) -> dict[str, float]:
    """Best seconds of each contender over ``rounds`` interleaved rounds (after a warm-up)."""
    best = dict.fromkeys(contenders, float("inf"))
    for function in contenders.values():
        function()
    for _ in range(rounds):
        for name, function in contenders.items():
            start = time.perf_counter()
            function()
            best[name] = min(best[name], time.perf_counter() - start)
    return best


def rows_for(task: str, nbytes: int, seconds: dict[str, float]) -> list[Row]:
    ceiling = seconds["tensorstore"]
    ours = seconds["ZarrArray"]
    return [
        Row(f"{task}: tensorstore", mbps(nbytes, ceiling), note="the ceiling"),
        Row(
            f"{task}: zarr-python {zarr.__version__}",
            mbps(nbytes, seconds["zarr-python"]),
            (ceiling / seconds["zarr-python"], REFERENCE),
        ),
        Row(
            f"{task}: ZarrArray",
            mbps(nbytes, ours),
            (ceiling / ours, REFERENCE),
            note=f"{seconds['zarr-python'] / ours:.1f}x zarr-python",
        ),
    ]


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
        rounds=3,
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
            rounds=2,
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
