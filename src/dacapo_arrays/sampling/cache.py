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
import threading
from collections.abc import Sequence
from concurrent.futures import Future

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import Array
from dacapo.experiments.datasplits.datasets.arrays.tooling import (
    PerProcess,
    gather,
    then,
    without_handles,
)

#: Voxels per axis of a kept block (in the array's own voxels): 64³ is a common stored chunk.
BLOCK = 64


def region_bytes(array: Array, region: Roi) -> int:
    """Bytes of ``array``'s values over ``region``."""
    voxels = math.prod(int(s) for s in region.shape / array.voxel_size)
    return voxels * (array.num_channels or 1) * array.dtype.itemsize


class _Kept:
    """What one process has read of a region: the array of the region (allocated on the
    first block) and the future of every block read or being read."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.values: np.ndarray | None = None
        self.blocks: dict[tuple[int, ...], Future[None]] = {}


class KeptRegion:
    """The values of ``array`` over ``region``, read on first use in blocks of ``block``
    voxels per axis into one array of the region: ``read_async(roi)`` of any ROI inside
    ``region`` waits for the blocks it needs, then copies one slice of that array.

    A block is kept as the future of its read, so concurrent windows wait for one read of a
    shared block; a failed read is forgotten (the next window tries again). What is kept
    belongs to one process (:class:`PerProcess`): pickled (a spawned worker), or seen from a
    forked process, a region starts empty. The region's array is allocated with
    ``numpy.empty``: its memory is taken as blocks are read into it.
    """

    def __init__(self, array: Array, region: Roi, block: int = BLOCK) -> None:
        self.array = array
        self.region = region
        self.block = block
        self._step = array.voxel_size * block
        self._lead = () if array.num_channels is None else (array.num_channels,)

    _kept = PerProcess(lambda _: _Kept())
    __getstate__ = without_handles

    @property
    def nbytes(self) -> int:
        """Bytes of the whole region once every block is read (the budget it takes)."""
        return region_bytes(self.array, self.region)

    @property
    def blocks_read(self) -> int:
        """Blocks this process has read or is reading (failed reads are forgotten)."""
        return len(self._kept.blocks)

    def read_async(self, roi: Roi) -> Future[np.ndarray]:
        """The values of ``roi`` (inside the region, on the array's voxel grid), as a fresh
        array: the caller may modify it."""
        if not self.region.contains(roi):
            raise ValueError(
                f"ROI {roi} is not inside the kept region {self.region} of {self.array.name!r}"
            )
        kept = self._kept  # one process's, for the whole call
        first = (roi.begin - self.region.begin) / self._step
        last = (roi.end - self.region.begin - Coordinate(1 for _ in roi.begin)) / self._step
        ranges = (range(a, b + 1) for a, b in zip(first, last, strict=True))
        reads = [self._read_block(kept, index) for index in itertools.product(*ranges)]
        return then(gather(reads), self._copy, self._slices(roi), kept.values)

    def _slices(self, roi: Roi) -> tuple[slice, ...]:
        """Where ``roi`` lies in the region's array."""
        return self.array.spec.slices(roi, tuple(self.region.begin))

    def _read_block(self, kept: _Kept, index: tuple[int, ...]) -> Future[None]:
        with kept.lock:
            read = kept.blocks.get(index)
            if read is not None:
                return read
            if kept.values is None:
                spatial = self.region.shape / self.array.voxel_size
                kept.values = np.empty((*self._lead, *spatial), self.array.dtype)
            begin = self.region.begin + self._step * Coordinate(index)
            roi = Roi(begin, self._step).intersect(self.region)
            read = then(self.array.read_async(roi), self._put, kept.values, self._slices(roi))
            kept.blocks[index] = read
        # Outside the lock: a read already failed runs the callback here and now, and it takes
        # the lock (inside, it waited for itself: test_a_failed_block_read_is_forgotten_...).
        read.add_done_callback(lambda done: self._forget_failed(kept, index, done))
        return read

    @staticmethod
    def _put(values: np.ndarray, into: np.ndarray, where: tuple[slice, ...]) -> None:
        into[where] = values

    @staticmethod
    def _copy(_: list[None], where: tuple[slice, ...], values: np.ndarray) -> np.ndarray:
        return values[where].copy()

    @staticmethod
    def _forget_failed(kept: _Kept, index: tuple[int, ...], read: Future[None]) -> None:
        if read.exception() is not None:
            with kept.lock:
                if kept.blocks.get(index) is read:
                    del kept.blocks[index]


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
