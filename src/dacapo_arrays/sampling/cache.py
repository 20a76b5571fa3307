"""Keeping in memory what a sampler reads over and over.

Training draws many windows from the same few regions: every window of a dataset lies inside
one box per array, its *region* (the union of the windows of all valid points). When the
regions of a dataset fit the sampler's ``cache`` budget, each of its arrays is kept as a
:class:`KeptRegion`: its values are read once, block by block as windows first touch them,
through the array's own reads (every kind, binarized or resampled ones included, computes a
block as it computes any ROI), and every later window is a numpy copy of kept blocks.

Which datasets are kept is decided once, from sizes alone (:func:`choose_kept`), so memory is
bounded by the budget and nothing is ever evicted or read twice. Datasets that do not fit are
read window by window as without a cache. Values are those of the first read: changes to the
stored data after that are not seen by this sampler (a new sampler, or a new process, sees them).
"""

from __future__ import annotations

import itertools
import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future
from typing import Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import Array
from dacapo.experiments.datasplits.datasets.arrays.tooling import gather, then

#: Voxels per axis of a kept block (in the array's own voxels): 64³ is a common stored chunk.
BLOCK = 64


def region_bytes(array: Array, region: Roi) -> int:
    """Bytes of ``array``'s values over ``region``."""
    voxels = math.prod(int(s) for s in region.shape / array.voxel_size)
    return voxels * (array.num_channels or 1) * array.dtype.itemsize


class KeptRegion:
    """The values of ``array`` over ``region``, read on first use in blocks of ``block``
    voxels per axis into one array of the region: ``read_async(roi)`` of any ROI inside
    ``region`` waits for the blocks it needs, then copies one slice of that array.

    A block is kept as the future of its read, so concurrent windows wait for one read of a
    shared block; a failed read is forgotten (the next window tries again). Pickled (a
    spawned worker), or seen from a forked process, it starts empty. The region's array is
    allocated with ``numpy.empty``: its memory is taken as blocks are read into it.
    """

    def __init__(self, array: Array, region: Roi, block: int = BLOCK) -> None:
        self.array = array
        self.region = region
        self.block = block
        self._step = array.voxel_size * block
        self._lead = () if array.num_channels is None else (array.num_channels,)
        self._empty()

    def _empty(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._values: np.ndarray | None = None
        self._blocks: dict[tuple[int, ...], Future[None]] = {}
        self.blocks_read = 0

    def __getstate__(self) -> dict[str, Any]:
        return {"array": self.array, "region": self.region, "block": self.block}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["array"], state["region"], state["block"])  # type: ignore[misc]

    @property
    def nbytes(self) -> int:
        """Bytes of the whole region once every block is read (the budget it takes)."""
        return region_bytes(self.array, self.region)

    def read_async(self, roi: Roi) -> Future[np.ndarray]:
        """The values of ``roi`` (inside the region, on the array's voxel grid), as a fresh
        array: the caller may modify it."""
        if not self.region.contains(roi):
            raise ValueError(
                f"ROI {roi} is not inside the kept region {self.region} of {self.array.name!r}"
            )
        if self._pid != os.getpid():
            self._empty()
        first = (roi.begin - self.region.begin) / self._step
        last = (roi.end - self.region.begin - Coordinate(1 for _ in roi.begin)) / self._step
        ranges = (range(a, b + 1) for a, b in zip(first, last, strict=True))
        reads = [self._read_block(index) for index in itertools.product(*ranges)]
        return then(gather(reads), self._copy, self._slices(roi), self._values)

    def _slices(self, roi: Roi) -> tuple[slice, ...]:
        """Where ``roi`` lies in the region's array."""
        voxel, origin = self.array.voxel_size, self.region.begin
        spatial = (
            slice((b - o) // v, (e - o) // v)
            for b, e, o, v in zip(roi.begin, roi.end, origin, voxel, strict=True)
        )
        return (*(slice(None) for _ in self._lead), *spatial)

    def _read_block(self, index: tuple[int, ...]) -> Future[None]:
        with self._lock:
            read = self._blocks.get(index)
            if read is not None:
                return read
            if self._values is None:
                spatial = self.region.shape / self.array.voxel_size
                self._values = np.empty((*self._lead, *spatial), self.array.dtype)
            begin = self.region.begin + self._step * Coordinate(index)
            roi = Roi(begin, self._step).intersect(self.region)
            read = then(self.array.read_async(roi), self._put, self._values, self._slices(roi))
            self._blocks[index] = read
            self.blocks_read += 1
        # Outside the lock: a read already failed runs the callback here and now, and it takes
        # the lock (inside, it waited for itself: test_a_failed_block_read_is_forgotten_...).
        read.add_done_callback(lambda done: self._forget_failed(index, done))
        return read

    @staticmethod
    def _put(values: np.ndarray, into: np.ndarray, where: tuple[slice, ...]) -> None:
        into[where] = values

    @staticmethod
    def _copy(_: list[None], where: tuple[slice, ...], values: np.ndarray) -> np.ndarray:
        return values[where].copy()

    def _forget_failed(self, index: tuple[int, ...], read: Future[None]) -> None:
        if read.exception() is not None:
            with self._lock:
                if self._blocks.get(index) is read:
                    del self._blocks[index]


def choose_kept(sizes: Sequence[int], probabilities: Sequence[float], budget: int) -> list[bool]:
    """Which datasets to keep in memory: the most drawn per byte first, while they fit.

    >>> choose_kept([600, 300, 300], [0.2, 0.4, 0.4], 700)
    [False, True, True]
    """
    kept = [False] * len(sizes)
    used = 0
    order = sorted(range(len(sizes)), key=lambda i: (-probabilities[i] / max(sizes[i], 1), i))
    for i in order:
        if probabilities[i] > 0 and used + sizes[i] <= budget:
            kept[i] = True
            used += sizes[i]
    return kept


__all__ = ["BLOCK", "KeptRegion", "choose_kept", "region_bytes"]
