"""Virtual arrays on random 128³ ROIs, each against reading its source alone in the same run.

Throughput is in MB/s of *source* voxels (a 128³ uint64 block is 16.8 MB), so a row's ratio
is simply (time to read the source) / (time to read the virtual array): 1.0 means the
computation is free, the target is >= 0.8.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from funlib.geometry import Coordinate, Roi

from benchmarks.harness import VOXEL, Data, Row, Timing, random_rois
from dacapo.experiments.datasplits.datasets.arrays import (
    Array,
    ArrayConfig,
    BinarizeArrayConfig,
    IntensitiesArrayConfig,
)

SIDE = 128
COUNT = 6
ROUNDS = 7

#: The synthetic labels hold ids 0..40 in blocks (benchmarks/harness.py).
BINARIZE_GROUPINGS = {
    "binarize, 3 groups: 1 id, 3 ids, 30 ids": [
        ("mito", [1]),
        ("er", [2, 3, 4]),
        ("many", list(range(5, 35))),
    ],
    "binarize, 2 groups: 1 id, 2 ids (== passes)": [("mito", [1]), ("er", [2, 3])],
    "binarize, 1 group: every label but background": [("all", [])],
}


def _seconds(read: Callable[[Roi], object], roi: Roi) -> float:
    start = time.perf_counter()
    read(roi)
    return time.perf_counter() - start


def _paired(source: Array, virtual: Array, rois: list[Roi]) -> tuple[Timing, Timing]:
    """Seconds per round to read all ROIs from the source and from the virtual array.

    Each ROI is read from both, one right after the other (which goes first alternates),
    in each of ``ROUNDS`` rounds. Pairing ROI by ROI keeps bursts of load from other
    processes on this shared machine from landing on one side only.
    """
    source[rois[0]], virtual[rois[0]]  # warm up: open handles, fill the OS page cache
    rounds_source, rounds_virtual = [], []
    for k in range(ROUNDS):
        seconds_source = seconds_virtual = 0.0
        for roi in rois:
            if k % 2:
                seconds_virtual += _seconds(virtual.__getitem__, roi)
            seconds_source += _seconds(source.__getitem__, roi)
            if not k % 2:
                seconds_virtual += _seconds(virtual.__getitem__, roi)
        rounds_source.append(seconds_source)
        rounds_virtual.append(seconds_virtual)
    return Timing(tuple(rounds_source)), Timing(tuple(rounds_virtual))


def _rows(source_config: ArrayConfig, virtuals: dict[str, ArrayConfig], label: str) -> list[Row]:
    source = source_config.create_array()
    rois = random_rois(source.roi, Coordinate((SIDE,) * 3) * VOXEL, COUNT, seed=1)
    nbytes = COUNT * SIDE**3 * source.dtype.itemsize
    rows = []
    reference = None
    for name, config in virtuals.items():
        timing_source, timing_virtual = _paired(source, config.create_array(), rois)
        if reference is None:
            reference = timing_source
            note = f"{COUNT} random {SIDE}³ ROIs, {source.dtype}, {ROUNDS} rounds"
            rows.append(reference.row(f"{label}: read the source alone", nbytes, None, note))
        ratio = (timing_virtual.over(timing_source), f"{label} read in the same rounds")
        rows.append(timing_virtual.row(name, nbytes, ratio))
    return rows


def run(data: Data) -> list[Row]:
    binarize = {
        name: BinarizeArrayConfig(name="gt", source_array_config=data.labels, groupings=groups)
        for name, groups in BINARIZE_GROUPINGS.items()
    }
    intensities = {
        "intensities, uint8 -> float32": IntensitiesArrayConfig(
            name="raw01", source_array_config=data.raw, min=0, max=255
        )
    }
    return _rows(data.labels, binarize, "labels") + _rows(data.raw, intensities, "raw")
