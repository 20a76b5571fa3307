"""``BinarizeArray``: label ids turned into one ``uint8`` channel per group.

The computation is the plain function :func:`binarize`. How it matches ids is chosen per
block from timings of a 128³ ``uint64`` block on the development machine (2 cores):

* one ``labels == id`` pass costs about 0.3-0.45 ms per id;
* a lookup table indexed by ``label - min`` (one byte per label value, a bit per group, up to
  8 groups per table) costs about 1.5-2 ms whatever the number of ids (one gather, one pass
  for the maximum, two cheap ``uint8`` passes per group);
* when labels span too wide a range for a table (e.g. 2**40 instance ids), a binary search in
  the sorted ids costs 11-16 ms for 10-100 ids, where ``==`` passes cost 4-34 ms;
* ``np.isin`` (3-90 ms) and ``np.unique(..., return_inverse=True)`` (45-140 ms) lose to
  these everywhere, so neither is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Roi

from ._virtual_array import VirtualArray
from .errors import ConfigError

if TYPE_CHECKING:
    from .binarize_array_config import BinarizeArrayConfig

#: Up to this many ids in all groups together, one ``==`` pass per id beats a lookup table.
EQUAL_MAX_IDS = 6
#: Lookup tables are built for blocks whose labels span at most this many values (16 MB).
TABLE_MAX_RANGE = 1 << 24
#: Without a table, groups with more ids than this use a binary search instead of ``==``.
SEARCH_MIN_IDS = 32

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
    bounds = label_range(labels.dtype)
    if bounds is None:
        raise TypeError(f"binarize needs integer or bool labels, got dtype {labels.dtype}")
    if labels.dtype.kind == "b":
        labels = labels.view(np.uint8)
    out = np.zeros((len(groupings), *labels.shape), np.uint8)
    if labels.size == 0:
        return out
    low, high = bounds
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
    if sum(len(ids) for ids in explicit.values()) <= EQUAL_MAX_IDS:
        for i, ids in explicit.items():
            _match_equal(labels, ids, out[i])
    else:
        _match_many(labels, explicit, out)
    return out


def _match_equal(labels: np.ndarray, ids: list[int], out: np.ndarray) -> None:
    hit = out.view(bool)
    np.equal(labels, labels.dtype.type(ids[0]), out=hit)
    scratch = np.empty_like(hit)
    for label in ids[1:]:
        np.equal(labels, labels.dtype.type(label), out=scratch)
        hit |= scratch


def _match_many(labels: np.ndarray, explicit: dict[int, list[int]], out: np.ndarray) -> None:
    high = int(labels.max())
    # Unsigned labels index a table from 0: one pass less than finding the minimum too.
    low = 0 if labels.dtype.kind == "u" and high < TABLE_MAX_RANGE else int(labels.min())
    if high - low < TABLE_MAX_RANGE:
        _match_table(labels, explicit, out, low, high)
        return
    for i, ids in explicit.items():
        if len(ids) <= SEARCH_MIN_IDS:
            _match_equal(labels, ids, out[i])
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
        problems = array_config._problems()
        if problems:
            raise ConfigError(
                f"cannot build BinarizeArray {array_config.name!r}: " + "; ".join(problems)
            )
        super().__init__(array_config)
        self._groupings = [(name, list(ids)) for name, ids in array_config.groupings]
        self.background = array_config.background
        self._check_source()

    def _check_source(self) -> None:
        source = self.source_array
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

    @property
    def axes(self) -> list[str]:
        return ["c", *self.source_array.axes]

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(np.uint8)

    @property
    def num_channels(self) -> int:
        return len(self._groupings)

    def _read(self, roi: Roi) -> np.ndarray:
        return binarize(self.source_array[roi], self._groupings, self.background)


__all__ = ["BinarizeArray", "binarize", "label_range"]
