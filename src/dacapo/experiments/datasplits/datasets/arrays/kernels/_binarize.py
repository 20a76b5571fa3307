"""Binarize: label ids to one ``uint8`` channel per group, choosing the cheapest way per block.

:func:`binarize` gives the same values whichever way it takes (``tests`` check every path
against a reference on exact integers). Up to two ids in all groups are matched with ``==``
on the labels' own dtype. With more, a block whose labels lie in ``0..65535`` is cast once to
``uint8``/``uint16`` and each run of consecutive ids costs one ``==`` or one unsigned range
test; otherwise a lookup table indexed by the label (a bit per group) when the labels span
fewer than ``TABLE_MAX_RANGE`` values; wider labels use ``==`` per id, or a binary search in
the sorted ids for large groups. Blocks of labels of at least ``PARALLEL_MIN_BYTES`` are
split in two halves computed on :data:`POOL` (numpy releases the GIL). The measurements behind
these thresholds are in ``docs/decisions.md`` ("BinarizeArray: how ids are matched").
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays._threads import ThreadPool

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

#: Blocks of labels of at least this many bytes (2**18 uint64 voxels) are split in two
#: halves computed in two threads; a narrow copy (``uint8``) costs a pass 8 times smaller, so
#: splitting 2**18 of its voxels costs more CPU in handing over than it saves.
PARALLEL_MIN_BYTES = 1 << 21
_CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
#: The two threads of a split block (started on first use; see :class:`.._threads.ThreadPool`).
POOL = ThreadPool(2, "binarize")

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
    if labels.nbytes < PARALLEL_MIN_BYTES or not labels.flags.c_contiguous or _CPUS < 2:
        _binarize_into(labels, groupings, background, out)
        return out
    # Two halves of the voxels in two threads (numpy releases the GIL): each half picks
    # its own path, every path gives the same values.
    flat, flat_out = labels.reshape(-1), out.reshape(len(groupings), -1)
    half = flat.size // 2
    parts = [(flat[:half], flat_out[:, :half]), (flat[half:], flat_out[:, half:])]
    futures = [
        POOL.submit(_binarize_into, part, groupings, background, into) for part, into in parts
    ]
    for future in futures:
        future.result()
    return out


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


__all__ = ["POOL", "binarize", "label_range"]
