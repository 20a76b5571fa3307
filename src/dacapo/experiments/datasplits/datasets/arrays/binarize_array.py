"""``BinarizeArray``: label ids turned into one ``uint8`` channel per group.

The computation is the plain function :func:`binarize`. How it matches ids is chosen per
block from timings of a 128³ ``uint64`` block on the development machine (2 cores):

* one ``labels == id`` pass costs about 0.3-0.5 ms per id, and so does a pass for the maximum
  or a cast to ``uint8``; the same passes on ``uint8`` cost about 0.05 ms;
* so with more than 2 ids, a block whose labels lie in ``0..65535`` is cast to ``uint8`` or
  ``uint16`` once, and each run of consecutive ids costs one cheap ``==`` or one unsigned
  range test ``(labels - first) <= last - first`` (3 groups of 1, 3 and 30 ids: ~1.1 ms
  instead of ~2.2 ms for the table below);
* otherwise a lookup table indexed by ``label - min`` (one byte per label value, a bit per
  group, up to 8 groups per table) costs about 1.5-2 ms whatever the number of ids;
* when labels span too wide a range for a table (e.g. 2**40 instance ids), a binary search in
  the sorted ids costs 11-16 ms for 10-100 ids, where ``==`` passes cost 4-34 ms;
* ``np.isin`` (3-90 ms) and ``np.unique(..., return_inverse=True)`` (45-140 ms) lose to
  these everywhere, so neither is used; a ``uint8`` table gathered with ``np.take`` costs
  ~1.9 ms (the indices are widened to ``intp``), so small labels use runs instead.

Blocks of at least 2**18 voxels are split in two halves computed in two threads (numpy
releases the GIL): 3 groups ~1.4 ms instead of ~1.8 ms, 2 groups ~1.2 instead of ~1.6.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from funlib.geometry import Roi

from ._reads import then
from ._virtual_array import VirtualArray
from .array import CHANNEL_AXIS
from .errors import ConfigError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .binarize_array_config import BinarizeArrayConfig

#: Up to this many ids in all groups together, matching in the source's dtype beats narrowing.
EQUAL_MAX_IDS = 2
#: Blocks whose labels lie in ``0..NARROW_MAX`` are matched on a ``uint8``/``uint16`` copy.
NARROW_MAX = 0xFFFF
#: ... when their ids form at most this many runs of consecutive values (else a table).
RUNS_MAX = 16
#: Lookup tables are built for blocks whose labels span at most this many values (16 MB).
TABLE_MAX_RANGE = 1 << 24
#: Without a table, groups with more ids than this use a binary search instead of ``==``.
SEARCH_MIN_IDS = 32

#: Blocks of at least this many voxels are split in two halves computed in two threads.
PARALLEL_MIN_VOXELS = 1 << 18
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
_POOL: ThreadPoolExecutor | None = None

_Groupings = Sequence[tuple[str, Sequence[int]]]


def label_range(dtype: np.dtype[Any]) -> tuple[int, int] | None:
    """The smallest and largest label a dtype holds; ``None`` for non-integer dtypes."""
    if dtype.kind == "b":
        return 0, 1
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return int(info.min), int(info.max)
    return None


def binarize(labels: np.ndarray, groupings: _Groupings, background: int = 0) -> np.ndarray:
    """One ``uint8`` channel per group, 1 where ``labels`` holds one of the group's ids.

    An empty id list means every label but ``background``. ``background`` is never 1, even
    where a group lists it; ids listed twice count once; ids the dtype of ``labels`` cannot
    hold never match. Groups may overlap.

    >>> labels = np.array([0, 1, 2, 3, 5], np.uint64)
    >>> binarize(labels, [("a", [1, 2]), ("b", [5, 5, 0]), ("all", [])])
    array([[0, 1, 1, 0, 0],
           [0, 0, 0, 0, 1],
           [0, 1, 1, 1, 1]], dtype=uint8)
    """
    if label_range(labels.dtype) is None:
        raise TypeError(f"binarize needs integer or bool labels, got dtype {labels.dtype}")
    if labels.dtype.kind == "b":
        labels = labels.view(np.uint8)
    out = np.zeros((len(groupings), *labels.shape), np.uint8)
    if labels.size < PARALLEL_MIN_VOXELS or not labels.flags.c_contiguous or _CPUS < 2:
        _binarize_into(labels, groupings, background, out)
        return out
    # Two halves of the voxels in two threads (numpy releases the GIL): each half picks
    # its own path, every path gives the same values.
    flat, flat_out = labels.reshape(-1), out.reshape(len(groupings), -1)
    half = flat.size // 2
    parts = [(flat[:half], flat_out[:, :half]), (flat[half:], flat_out[:, half:])]
    futures = [
        _pool().submit(_binarize_into, part, groupings, background, into) for part, into in parts
    ]
    for future in futures:
        future.result()
    return out


def _pool() -> ThreadPoolExecutor:
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(2, thread_name_prefix="binarize")
    return _POOL


def _forget_pool() -> None:
    """A forked child (e.g. a data loader worker) has none of the parent's threads."""
    global _POOL
    _POOL = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _binarize_into(
    labels: np.ndarray, groupings: _Groupings, background: int, out: np.ndarray
) -> None:
    if labels.size == 0:
        return
    low, high = label_range(labels.dtype)  # type: ignore[misc]
    explicit: dict[int, list[int]] = {}
    for i, (_, ids) in enumerate(groupings):
        if not ids:
            if low <= background <= high:
                np.not_equal(labels, labels.dtype.type(background), out=out[i].view(bool))
            else:
                out[i] = 1
            continue
        kept = sorted({int(v) for v in ids if low <= v <= high} - {background})
        if kept:
            explicit[i] = kept
    if labels.dtype.itemsize == 1 or sum(len(ids) for ids in explicit.values()) <= EQUAL_MAX_IDS:
        _match_runs(labels, explicit, out)
    else:
        _match_many(labels, explicit, out)


def _runs(ids: list[int]) -> list[tuple[int, int]]:
    """Sorted ids as ``(first, last)`` runs of consecutive values: ``[1, 2, 3, 7]`` is 2 runs."""
    runs: list[tuple[int, int]] = []
    for value in ids:
        if runs and runs[-1][1] == value - 1:
            runs[-1] = (runs[-1][0], value)
        else:
            runs.append((value, value))
    return runs


def _match_runs(labels: np.ndarray, explicit: dict[int, list[int]], out: np.ndarray) -> None:
    """One ``==`` pass per lone id, and per run ``first..last`` one unsigned range test.

    ``labels - first``, seen as unsigned, is at most ``last - first`` exactly for labels in
    the run: it wraps modulo ``2**bits`` and both ids fit the dtype.
    """
    unsigned = labels.dtype.str.replace("i", "u")
    hit = np.empty(labels.shape, bool)
    offset: np.ndarray | None = None
    for i, ids in explicit.items():
        target = out[i].view(bool)
        for n, (first, last) in enumerate(_runs(ids)):
            into = target if n == 0 else hit
            if first == last:
                np.equal(labels, labels.dtype.type(first), out=into)
            else:
                if offset is None:
                    offset = np.empty_like(labels)
                np.subtract(labels, labels.dtype.type(first), out=offset)
                np.less_equal(
                    offset.view(unsigned), np.dtype(unsigned).type(last - first), out=into
                )
            if n:
                target |= hit


def _match_many(labels: np.ndarray, explicit: dict[int, list[int]], out: np.ndarray) -> None:
    high = int(labels.max())
    # Unsigned labels start from 0 here: one pass less than finding the minimum too.
    low = 0 if labels.dtype.kind == "u" else int(labels.min())
    if low >= 0 and high <= NARROW_MAX:
        kept = {i: [v for v in ids if low <= v <= high] for i, ids in explicit.items()}
        if sum(len(_runs(ids)) for ids in kept.values()) <= RUNS_MAX:
            narrow = np.dtype(np.uint8 if high <= 0xFF else np.uint16)
            if narrow.itemsize < labels.dtype.itemsize:
                labels = labels.astype(narrow)  # the same values, 4-8 times fewer bytes
            _match_runs(labels, {i: ids for i, ids in kept.items() if ids}, out)
            return
    if high - low >= TABLE_MAX_RANGE and low == 0:
        low = int(labels.min())
    if high - low < TABLE_MAX_RANGE:
        _match_table(labels, explicit, out, low, high)
        return
    for i, ids in explicit.items():
        if len(ids) <= SEARCH_MIN_IDS:
            _match_runs(labels, {i: ids}, out)
        else:
            _match_sorted(labels, ids, out[i])


def _match_table(
    labels: np.ndarray, explicit: dict[int, list[int]], out: np.ndarray, low: int, high: int
) -> None:
    """Look every voxel up in a table of ``high - low + 1`` bytes, bit ``j`` for group ``j``."""
    index = _table_index(labels, low)
    table = np.zeros(high - low + 1, np.uint8)
    items = list(explicit.items())
    for start in range(0, len(items), 8):
        batch = items[start : start + 8]
        table[:] = 0
        for bit, (_, ids) in enumerate(batch):
            rows = [v - low for v in ids if low <= v <= high]
            table[rows] |= np.uint8(1 << bit)
        if len(batch) == 1:
            np.take(table, index, out=out[batch[0][0]])
            continue
        packed = np.take(table, index)
        for bit, (i, _) in enumerate(batch):
            np.right_shift(packed, bit, out=out[i])
            out[i] &= 1


def _table_index(labels: np.ndarray, low: int) -> np.ndarray:
    """``labels - low``, as ``intp`` when that is a free view (``np.take`` then copies nothing)."""
    if low != 0:
        # Wraps for signed dtypes, but the true offset lies in [0, 2**bits): the unsigned
        # view of the same bits is exact.
        labels = labels - labels.dtype.type(low)
        labels = labels.view(labels.dtype.str.replace("i", "u"))
    if labels.dtype.itemsize == np.dtype(np.intp).itemsize:
        return labels.view(np.intp)  # offsets below TABLE_MAX_RANGE: the same values
    return labels


def _match_sorted(labels: np.ndarray, ids: list[int], out: np.ndarray) -> None:
    table = np.asarray(ids, dtype=labels.dtype)  # already sorted
    where = np.searchsorted(table, labels)
    np.minimum(where, len(table) - 1, out=where)
    np.equal(table[where], labels, out=out.view(bool))


class BinarizeArray(VirtualArray):
    """Label ids of a source without channels, binarized into one channel per group.

    Axes ``["c"] + source axes``; dtype ``uint8``; one channel per ``(name, ids)`` group in
    ``groupings``, 1 where the label is one of ``ids`` and 0 elsewhere (see :func:`binarize`
    for empty groups, ``background`` and repeated ids). ``roi``, ``voxel_size`` and ``attrs``
    are the source's.

    Building one raises :class:`~.errors.ConfigError` when the config has problems (see
    ``verify()``), when the source has a channel axis, or when its dtype is not an integer
    (or bool) type.
    """

    def __init__(self, array_config: BinarizeArrayConfig) -> None:
        super().__init__(array_config)
        self._groupings = [(name, list(ids)) for name, ids in array_config.groupings]
        self.background = array_config.background
        self._check_source()
        self.spec = attrs.evolve(
            self.spec,
            axes=[CHANNEL_AXIS, *self.source.axes],
            dtype=np.dtype(np.uint8),
            num_channels=len(self._groupings),
            is_labels=True,
        )

    def _check_source(self) -> None:
        source = self.source
        what = f"BinarizeArray {self.name!r} cannot binarize {source._label()}"
        if source.num_channels is not None:
            raise ConfigError(
                f"{what}: it has a channel axis (axes {source.axes}); binarize a label array "
                f"without channels, e.g. one channel of it cropped out in its own dataset"
            )
        if label_range(source.dtype) is None:
            raise ConfigError(
                f"{what}: its dtype {source.dtype} is not an integer type; labels must be "
                f"integer ids (store them as e.g. uint64)"
            )

    @property
    def groupings(self) -> list[tuple[str, list[int]]]:
        """The ``(channel name, label ids)`` groups, one channel each, in channel order."""
        return [(name, list(ids)) for name, ids in self._groupings]

    @property
    def channels(self) -> Iterator[str]:
        """The channel names (the group names), as a fresh iterator on every access."""
        return iter([name for name, _ in self._groupings])

    def _read(self, roi: Roi) -> np.ndarray:
        return binarize(self.source[roi], self._groupings, self.background)

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        return then(self.source.read_async(roi), binarize, self._groupings, self.background)


__all__ = ["BinarizeArray", "binarize", "label_range"]
