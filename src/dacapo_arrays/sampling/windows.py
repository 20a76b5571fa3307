"""Where a sample's windows lie: one world point, one window per array, snapped to its grid.

The rule (also in docs/training.md). Array ``a`` has voxel size ``v_a`` and a window of
``n_a`` voxels, so ``w_a = n_a * v_a`` nm wide, per axis. A sample is one point ``p``; the
window of ``a`` begins at ``floor((p - w_a / 2) / v_a) * v_a``. The points ``p`` are drawn on a
lattice ``r + k * g`` where ``g`` is the least common multiple of the voxel sizes and ``r`` is
chosen (when one exists) so that ``p - w_a / 2`` falls on every array's grid: then every window
is exactly centred on ``p``, and windows of equal width (e.g. 216 voxels at 4 nm and 108 at
8 nm) cover exactly the same region. When no such ``r`` exists (odd widths of different
parity), ``r = 0`` and a window may sit up to one voxel before the centre.

A point is valid where every window lies inside its array's ROI; an array given a ``pad`` value
needs only the point inside its ROI (the rest of its window is filled with that value).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import attrs
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import Array, format_coordinate, format_roi


@attrs.frozen
class Windows:
    """The lattice of valid sample points of one dataset, and the windows around a point."""

    widths: dict[str, Coordinate]  # world width of each window
    voxel_sizes: dict[str, Coordinate]
    residue: Coordinate  # r
    step: Coordinate  # g
    first: Coordinate  # smallest valid k per axis
    counts: Coordinate  # number of valid k per axis

    @property
    def size(self) -> int:
        """How many distinct points can be drawn."""
        return math.prod(self.counts)

    def point(self, index: Sequence[int]) -> Coordinate:
        """The point of lattice index ``index`` (0 <= index < counts, per axis)."""
        return Coordinate(
            r + (f + i) * g
            for r, f, i, g in zip(self.residue, self.first, index, self.step, strict=True)
        )

    def draw(self, rng: np.random.Generator) -> Coordinate:
        return self.point([int(rng.integers(0, c)) for c in self.counts])

    def window(self, name: str, point: Coordinate) -> Roi:
        width, voxel = self.widths[name], self.voxel_sizes[name]
        begin = [((2 * p - w) // (2 * v)) * v for p, w, v in zip(point, width, voxel, strict=True)]
        return Roi(begin, width)

    def region(self, name: str) -> Roi:
        """The union of the windows of ``name`` over every valid point (a window's begin
        grows with the point, so it spans the first point's window to the last one's)."""
        last = Coordinate(c - 1 for c in self.counts)
        lowest = self.window(name, self.point([0] * len(self.counts)))
        highest = self.window(name, self.point(last))
        return Roi(lowest.begin, highest.end - lowest.begin)


def _residue(step: int, axis: int, widths: list[Coordinate], voxels: list[Coordinate]) -> int:
    for r in range(step):
        if all(
            (2 * r - w[axis]) % (2 * v[axis]) == 0 for w, v in zip(widths, voxels, strict=True)
        ):
            return r
    return 0


def windows_of(
    arrays: Mapping[str, Array], shapes: Mapping[str, Sequence[int]], padded: set[str], what: str
) -> Windows:
    """The :class:`Windows` of one dataset; raises ``ValueError`` when no point is valid."""
    names = list(arrays)
    dims = {arrays[n].dims for n in names}
    if len(dims) != 1:
        raise ValueError(
            f"the arrays of {what} have different numbers of spatial axes "
            f"({', '.join(f'{n}: {arrays[n].dims}' for n in names)}); sample arrays of one space"
        )
    voxels = {n: arrays[n].voxel_size for n in names}
    widths = {n: Coordinate(shapes[n]) * voxels[n] for n in names}
    dim = dims.pop()
    step = Coordinate(math.lcm(*(voxels[n][axis] for n in names)) for axis in range(dim))
    residue = Coordinate(
        _residue(step[axis], axis, list(widths.values()), list(voxels.values()))
        for axis in range(dim)
    )
    lows, highs = [], []
    for n in names:
        roi, width = arrays[n].roi, widths[n]
        if n in padded:  # the point inside the ROI (its voxel grid), the rest padded
            lows.append([2 * b for b in roi.begin])
            highs.append([2 * (e - 1) for e in roi.end])
        else:  # 2 p >= 2 begin + w and 2 p <= 2 end - w
            lows.append([2 * b + w for b, w in zip(roi.begin, width, strict=True)])
            highs.append([2 * e - w for e, w in zip(roi.end, width, strict=True)])
    first, counts = [], []
    for axis in range(dim):
        low2, high2 = max(lo[axis] for lo in lows), min(hi[axis] for hi in highs)
        r, g = residue[axis], step[axis]
        k_low = -((-(low2 - 2 * r)) // (2 * g))  # ceil
        k_high = (high2 - 2 * r) // (2 * g)
        first.append(k_low)
        counts.append(max(k_high - k_low + 1, 0))
    found = Windows(widths, voxels, residue, step, Coordinate(first), Coordinate(counts))
    if found.size == 0:
        detail = "; ".join(
            f"{n}: window {format_coordinate(widths[n])} nm in ROI {format_roi(arrays[n].roi)}"
            for n in names
        )
        raise ValueError(
            f"no sample fits in {what}: no point puts every window inside its array ({detail}); "
            f"use smaller shapes, or allow padding with pad={{name: value}}"
        )
    return found
