"""``Sampler``: random aligned windows of several arrays, read in flight, for training.

>>> import numpy as np
>>> from funlib.geometry import Roi
>>> from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
>>> raw = NumpyArray.from_np_array(np.arange(32**3).reshape(32, 32, 32) % 251,
...                                Roi((0, 0, 0), (128, 128, 128)), (4, 4, 4), ["z", "y", "x"])
>>> gt = NumpyArray.from_np_array(np.ones((16, 16, 16), np.uint8),
...                               Roi((0, 0, 0), (128, 128, 128)), (8, 8, 8), ["z", "y", "x"])
>>> sampler = Sampler([{"raw": raw, "gt": gt}], {"raw": (16, 16, 16), "gt": (8, 8, 8)}, seed=0)
>>> sample = next(iter(sampler))
>>> sample["raw"][0] == sample["gt"][0], sample["raw"][1].shape, sample["gt"][1].shape
(True, (16, 16, 16), (8, 8, 8))
"""

from __future__ import annotations

import copy
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future
from typing import Any

import attrs
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import Array, ArrayConfig
from dacapo.experiments.datasplits.datasets.arrays.tooling import gather, shared_reads, then

from .augment import Augment, apply, augment_of
from .cache import KeptRegion, choose_kept, region_bytes
from .windows import Windows, windows_of

Source = Array | ArrayConfig
#: One sample: each name's window ROI (world units) and its voxels.
Sample = dict[str, tuple[Roi, np.ndarray]]


#: The default ``cache``: 1 GiB per process.
DEFAULT_CACHE = 1 << 30


class RejectionError(ValueError):
    """Too many samples in a row were rejected."""


@attrs.define
class Stats:
    """What a sampler did: candidates drawn, rejected, bytes handed out."""

    candidates: int = 0
    rejected: int = 0
    nbytes: int = 0

    @property
    def accepted(self) -> int:
        return self.candidates - self.rejected

    @property
    def rejection_rate(self) -> float:
        return self.rejected / self.candidates if self.candidates else 0.0


@attrs.frozen
class _Draw:
    dataset: int
    point: Coordinate
    flips: tuple[int, ...]
    order: tuple[int, ...]


def _place(values: np.ndarray, fill: np.ndarray, where: tuple[slice, ...]) -> np.ndarray:
    fill[where] = values
    return fill


def _as_array(source: Source) -> Array:
    return source if isinstance(source, Array) else source.create_array()


def _pad_values(pad: Any, names: list[str]) -> dict[str, Any]:
    if pad is None:
        return {}
    if isinstance(pad, Mapping):
        unknown = sorted(set(pad) - set(names))
        if unknown:
            raise ValueError(f"pad names {unknown}, which are not sampled (names: {names})")
        return dict(pad)
    return dict.fromkeys(names, pad)


class Sampler:
    """Samples of aligned windows around random points of weighted datasets.

    ``datasets``: a list of ``{name: ArrayConfig | Array}`` (one mapping is taken as a list
    of one); every dataset has the names of ``shapes``, which gives each name's window in
    voxels of that array. Iterating yields ``{name: (roi, ndarray)}`` without end (take what
    you need, e.g. ``itertools.islice``); each new iteration starts again from ``seed``.

    Keyword options:

    * ``weights``: one per dataset; default: by the number of valid points (their size).
    * ``reject``: ``{name: min_fraction}``: a candidate whose window of ``name`` has fewer
      nonzero values than that fraction is dropped (counted in ``stats``); after
      ``max_tries`` rejections in a row :class:`RejectionError` is raised.
    * ``pad``: a value, or ``{name: value}``: those windows may leave their array's ROI (the
      point stays inside it) and are filled with the value there.
    * ``mirror``, ``transpose``: ``True`` or a list of spatial axis names: flip each with
      probability 1/2, permute them at random; the same for every array of a sample.
    * ``prefetch``: samples whose reads are in flight at once (memory: that many samples).
    * ``cache``: bytes of memory (per process) for keeping datasets whose windows all lie in
      a region that fits: the most drawn per byte first, read once as windows touch them
      (see :mod:`~dacapo_arrays.sampling.cache`); ``0`` reads every window from its array.
      :attr:`kept` says which datasets are kept and :attr:`kept_bytes` how much they take.
    """

    def __init__(
        self,
        datasets: Sequence[Mapping[str, Source]] | Mapping[str, Source],
        shapes: Mapping[str, Sequence[int]],
        *,
        seed: int = 0,
        weights: Sequence[float] | None = None,
        reject: Mapping[str, float] | None = None,
        max_tries: int = 100,
        pad: Any = None,
        mirror: bool | Sequence[str] = False,
        transpose: bool | Sequence[str] = False,
        prefetch: int = 4,
        cache: int = DEFAULT_CACHE,
    ) -> None:
        if isinstance(datasets, Mapping):
            datasets = [datasets]
        names = list(shapes)
        self.names = names
        self.seed = seed
        self.shapes = {n: tuple(int(s) for s in shapes[n]) for n in names}
        self.reject = dict(reject or {})
        self.max_tries = max_tries
        self.pad = _pad_values(pad, names)
        self.prefetch = max(1, prefetch)
        self._streams: tuple[int, ...] = ()
        self.stats = Stats()
        self.datasets: list[dict[str, Array]] = []
        self.windows: list[Windows] = []
        self._augments: list[Augment] = []
        for i, dataset in enumerate(datasets):
            if set(dataset) != set(names):
                raise ValueError(
                    f"dataset {i} has arrays {sorted(dataset)} but shapes are given for "
                    f"{sorted(names)}; give every dataset exactly the names of shapes"
                )
            arrays = {n: _as_array(dataset[n]) for n in names}
            self.datasets.append(arrays)
            self.windows.append(windows_of(arrays, self.shapes, set(self.pad), f"dataset {i}"))
            self._augments.append(augment_of(arrays, self.shapes, mirror, transpose))
        unknown = sorted(set(self.reject) - set(names))
        if unknown:
            raise ValueError(f"reject names {unknown}, which are not sampled (names: {names})")
        self.probabilities = self._probabilities(weights)
        if isinstance(cache, bool) or not isinstance(cache, int | np.integer) or cache < 0:
            raise ValueError(
                f"cache={cache!r} is not a number of bytes; give memory in bytes as an "
                f"integer (e.g. {DEFAULT_CACHE} for 1 GiB), or 0 to read every window"
            )
        self.cache = int(cache)
        self._kept = self._keep(self.cache)

    def _probabilities(self, weights: Sequence[float] | None) -> np.ndarray:
        if weights is None:
            weights = [w.size for w in self.windows]
        given = np.asarray(weights, dtype=float)
        if given.shape != (len(self.windows),) or (given < 0).any() or given.sum() <= 0:
            raise ValueError(
                f"weights {list(weights)} do not fit {len(self.windows)} datasets; give one "
                f"non-negative weight per dataset, not all zero"
            )
        return given / given.sum()  # type: ignore[no-any-return]

    def _keep(self, budget: int) -> list[dict[str, KeptRegion] | None]:
        regions = []
        for arrays, windows in zip(self.datasets, self.windows, strict=True):
            regions.append({n: windows.region(n).intersect(arrays[n].roi) for n in self.names})
        sizes = [
            sum(region_bytes(arrays[n], found[n]) for n in self.names)
            for arrays, found in zip(self.datasets, regions, strict=True)
        ]
        chosen = choose_kept(sizes, list(self.probabilities), budget)
        return [
            {n: KeptRegion(arrays[n], found[n]) for n in self.names} if keep else None
            for arrays, found, keep in zip(self.datasets, regions, chosen, strict=True)
        ]

    @property
    def kept(self) -> list[bool]:
        """Per dataset: whether it is kept in memory (see ``cache``)."""
        return [kept is not None for kept in self._kept]

    @property
    def kept_bytes(self) -> int:
        """Memory the kept datasets take once all of their regions are read."""
        return sum(r.nbytes for kept in self._kept if kept for r in kept.values())

    # -- streams ----------------------------------------------------------------------------

    def with_stream(self, *keys: int) -> Sampler:
        """A copy drawing another reproducible stream (e.g. one per DataLoader worker)."""
        other = copy.copy(self)
        other._streams = (*self._streams, *keys)
        other.stats = Stats()
        return other

    def _rng(self, *keys: int) -> np.random.Generator:
        sequence = np.random.SeedSequence(self.seed, spawn_key=(*self._streams, *keys))
        return np.random.default_rng(sequence)

    # -- drawing and reading ----------------------------------------------------------------

    def _draw(self, rng: np.random.Generator) -> _Draw:
        dataset = int(rng.choice(len(self.windows), p=self.probabilities))
        point = self.windows[dataset].draw(rng)
        dims = point.dims
        flips, order = self._augments[dataset].draw(rng, dims)
        return _Draw(dataset, point, flips, order)

    def draws(self, count: int, *keys: int) -> list[_Draw]:
        """``count`` draws (dataset, point, augmentation) of stream ``keys``, without reading:
        the fixed list a map-style dataset reads with :meth:`read`."""
        rng = self._rng(*keys)
        return [self._draw(rng) for _ in range(count)]

    def _read_window(
        self, array: Array, name: str, roi: Roi, kept: KeptRegion | None
    ) -> Future[np.ndarray]:
        reader = array if kept is None else kept
        if name not in self.pad or array.roi.contains(roi):
            return reader.read_async(roi)
        inside = roi.intersect(array.roi)
        voxel = array.voxel_size
        spatial = tuple(int(s) for s in roi.shape / voxel)
        shape = spatial if array.num_channels is None else (array.num_channels, *spatial)
        fill = np.full(shape, self.pad[name], dtype=array.dtype)
        where = array.spec.slices(inside, tuple(roi.begin))
        return then(reader.read_async(inside), _place, fill, where)

    def _start(self, draw: _Draw) -> tuple[dict[str, Roi], Future[list[Any]]]:
        arrays, windows = self.datasets[draw.dataset], self.windows[draw.dataset]
        kept = self._kept[draw.dataset] or {}
        rois = {n: windows.window(n, draw.point) for n in self.names}
        with shared_reads():  # e.g. a target and a mask of the same labels read them once
            reads = [self._read_window(arrays[n], n, rois[n], kept.get(n)) for n in self.names]
        return rois, gather(reads)

    def _finish(self, draw: _Draw, rois: dict[str, Roi], values: list[np.ndarray]) -> Sample:
        dims = draw.point.dims
        seen: set[int] = set()
        sample = {}
        for n, v in zip(self.names, values, strict=True):
            if id(v) in seen:  # two names read the same stored window: hand out copies
                v = v.copy()
            seen.add(id(v))
            sample[n] = (rois[n], apply(v, dims, draw.flips, draw.order))
        self.stats.nbytes += sum(v.nbytes for _, v in sample.values())
        return sample

    def _rejected(self, values: list[np.ndarray]) -> bool:
        for name, value in zip(self.names, values, strict=True):
            minimum = self.reject.get(name)
            if minimum is not None and np.count_nonzero(value) < minimum * value.size:
                return True
        return False

    def read(self, draw: _Draw) -> Sample:
        """The sample of one draw (no rejection), read now."""
        rois, values = self._start(draw)
        return self._finish(draw, rois, values.result())

    def __iter__(self) -> Iterator[Sample]:
        return self.take(None)

    def take(self, count: int | None) -> Iterator[Sample]:
        """The first ``count`` samples of the stream (all of them with ``None``), the same as
        ``itertools.islice(sampler, count)`` but starting no read beyond them: the prefetch
        never holds more candidates than samples still wanted (a rejection draws another)."""
        rng = self._rng()
        pending: deque[tuple[_Draw, dict[str, Roi], Future[list[Any]]]] = deque()
        in_a_row = 0
        wanted = -1 if count is None else count  # -1: without end
        while wanted:
            while len(pending) < min(self.prefetch, wanted if wanted > 0 else self.prefetch):
                draw = self._draw(rng)
                pending.append((draw, *self._start(draw)))
            draw, rois, reads = pending.popleft()
            values = reads.result()
            self.stats.candidates += 1
            if self._rejected(values):
                self.stats.rejected += 1
                in_a_row += 1
                if in_a_row >= self.max_tries:
                    raise RejectionError(
                        f"{in_a_row} samples in a row were rejected by reject={self.reject} "
                        f"({self.stats.rejected} of {self.stats.candidates} so far); lower the "
                        f"fractions, raise max_tries, or weight datasets with more annotation"
                    )
                continue
            in_a_row = 0
            wanted -= wanted > 0
            yield self._finish(draw, rois, values)
