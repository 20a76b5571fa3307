"""Reads in flight: 200 random 128³ ROIs read at once, beside raw tensorstore doing the same.

Contenders, interleaved round by round (the order rotates), each timed over ``ROUNDS`` rounds
after a warm-up; rows give the median and the spread (min-max) over rounds:

* raw tensorstore: every read issued, then every ``.result()`` (the ceiling);
* ``ZarrArray.read_many(rois, in_flight=200)``;
* ``ZarrArray[roi]`` one at a time (what the arrays offered before);
* a virtual kind: ``BinarizeArray.read_many`` of 64³ uint64 label ROIs beside a hand-written
  tensorstore read-all-in-flight + ``==`` per group, computed as each read completes.

The last line is ``inflight-ratio: R``, R = tensorstore's median seconds over
``read_many``'s (>= 0.8 is the target).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from concurrent.futures import Future

import numpy as np
import tensorstore as ts

from benchmarks.harness import VOXEL, Data, Row, mbps, random_rois
from dacapo.experiments.datasplits.datasets.arrays import BinarizeArrayConfig
from dacapo.experiments.datasplits.datasets.arrays._reads import submit

COUNT = 200
SIDE = 128
LABEL_SIDE = 64
ROUNDS = 7
GROUPS = [("a", [3, 4]), ("b", [7])]
#: Lines printed after the table (``python -m benchmarks`` prints them last).
RATIOS: list[str] = []


def _rounds(contenders: dict[str, Callable[[], object]]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for function in contenders.values():
        function()
    names = list(contenders)
    for round_ in range(ROUNDS):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - start)
    return times


def _spread(seconds: list[float], nbytes: int) -> str:
    return f"{mbps(nbytes, max(seconds)):.0f}-{mbps(nbytes, min(seconds)):.0f} MB/s over rounds"


def _binarize_by_hand(handle: ts.TensorStore, slices: list[tuple[slice, ...]]) -> None:
    def groups(labels: np.ndarray) -> np.ndarray:
        out = np.zeros((len(GROUPS), *labels.shape), np.uint8)
        for channel, (_, ids) in enumerate(GROUPS):
            for i in ids:
                out[channel] |= labels == i
        return out

    reads = [handle[s].read() for s in slices]
    computed: list[Future[np.ndarray]] = []
    for read in reads:
        computed.append(submit(groups, read.result()))
    for future in computed:
        future.result()


def run(data: Data) -> list[Row]:
    array = data.raw.to_array()
    handle = array.tensorstore  # the same per-process handle, so the same cache and context
    rois = random_rois(array.roi, VOXEL * SIDE, COUNT, seed=3)
    slices = [array._slices(roi) for roi in rois]
    nbytes = COUNT * SIDE**3

    def raw_in_flight() -> None:
        reads = [handle[s].read() for s in slices]
        for read in reads:
            read.result()

    contenders: dict[str, Callable[[], object]] = {
        "tensorstore": raw_in_flight,
        "read_many": lambda: list(array.read_many(rois, in_flight=COUNT)),
        "one at a time": lambda: [array[roi] for roi in rois],
    }
    labels = BinarizeArrayConfig("groups", data.labels, GROUPS).create_array()
    label_handle = data.labels.to_array().tensorstore
    label_rois = random_rois(labels.roi, VOXEL * LABEL_SIDE, COUNT, seed=4)
    label_slices = [labels.source_array._slices(roi) for roi in label_rois]
    contenders["binarize by hand"] = lambda: _binarize_by_hand(label_handle, label_slices)
    contenders["binarize read_many"] = lambda: list(labels.read_many(label_rois, in_flight=COUNT))
    times = _rounds(contenders)
    median = {name: statistics.median(t) for name, t in times.items()}
    ceiling = median["tensorstore"]
    task = f"{COUNT} random {SIDE}³ uint8 reads in flight"
    label_bytes = COUNT * LABEL_SIDE**3 * 8
    label_task = f"{COUNT} random {LABEL_SIDE}³ uint64 binarize reads in flight"
    by_hand = median["binarize by hand"]
    rows = [
        Row(
            f"{task}: tensorstore",
            mbps(nbytes, ceiling),
            note=_spread(times["tensorstore"], nbytes),
        ),
        Row(
            f"{task}: ZarrArray.read_many",
            mbps(nbytes, median["read_many"]),
            (ceiling / median["read_many"], "raw tensorstore in flight"),
            note=_spread(times["read_many"], nbytes),
        ),
        Row(
            f"{task}: ZarrArray[roi] one at a time",
            mbps(nbytes, median["one at a time"]),
            (ceiling / median["one at a time"], "raw tensorstore in flight"),
            note=_spread(times["one at a time"], nbytes),
        ),
        Row(
            f"{label_task}: tensorstore + == by hand",
            mbps(label_bytes, by_hand),
            note=_spread(times["binarize by hand"], label_bytes),
        ),
        Row(
            f"{label_task}: BinarizeArray.read_many",
            mbps(label_bytes, median["binarize read_many"]),
            (by_hand / median["binarize read_many"], "by hand in flight"),
            note=_spread(times["binarize read_many"], label_bytes),
        ),
    ]
    RATIOS.append(f"inflight-ratio: {ceiling / median['read_many']:.2f}")
    return rows
