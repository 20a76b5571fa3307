"""``LazyView``: a read-only, numpy-like view whose indexing reads only what it selects.

It wraps any region reader (``read(index) -> ndarray`` taking one step-1 ``slice`` per
stored dimension) and presents the stored dimensions in another order (``order[i]`` is the
stored dimension shown as dimension ``i``). Integers, slices (any step) and ``...`` index
it; ``np.asarray(view)`` reads everything, and only then.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays._limits import check_index_read
from dacapo.experiments.datasplits.datasets.arrays.errors import ReadOnlyError

Reader = Callable[[tuple[slice, ...]], np.ndarray]


class LazyView:
    """``view[key]`` reads the selected region and returns a new ``numpy.ndarray``.

    >>> data = np.arange(24).reshape(2, 3, 4)
    >>> view = LazyView(lambda index: data[index], data.shape, data.dtype, order=(2, 0, 1))
    >>> view.shape
    (4, 2, 3)
    >>> np.array_equal(view[1:3, :, ::2], data.transpose(2, 0, 1)[1:3, :, ::2])
    True
    >>> int(view[0, 1, -1]), int(data[1, -1, 0])
    (20, 20)
    """

    def __init__(
        self,
        read: Reader,
        stored_shape: tuple[int, ...],
        dtype: np.dtype[Any],
        *,
        order: tuple[int, ...] | None = None,
        name: str = "data",
    ) -> None:
        self._read = read
        self._order = tuple(range(len(stored_shape))) if order is None else tuple(order)
        self.shape = tuple(int(stored_shape[i]) for i in self._order)
        self.dtype = np.dtype(dtype)
        self._name = name

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def __len__(self) -> int:
        return self.shape[0]

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        values = np.asarray(self[...])
        return values if dtype is None else values.astype(dtype, copy=False)

    def __getitem__(self, key: Any) -> Any:
        bounds, steps, squeeze = self._normalize(key)
        stored = [slice(0, 0)] * len(self._order)
        for shown, stored_dim in enumerate(self._order):
            stored[stored_dim] = bounds[shown]
        check_index_read(self._name, bounds, self.dtype)  # before anything is allocated
        block = np.transpose(self._read(tuple(stored)), self._order)
        for axis, picks in steps.items():
            block = np.take(block, picks, axis=axis)
        block = block.reshape([n for i, n in enumerate(block.shape) if i not in squeeze])
        return block[()] if block.ndim == 0 else block  # a numpy scalar, as numpy returns

    def __setitem__(self, key: Any, value: Any) -> None:
        raise ReadOnlyError(
            f"cannot write to {self._name}: the view is read-only (so is its array); write "
            f"to a zarr or N5 copy of it instead (`dacapo-arrays write`)"
        )

    def _normalize(self, key: Any) -> tuple[list[slice], dict[int, np.ndarray], set[int]]:
        """Bounding step-1 slices per shown axis, the picks for strided axes, ints to drop."""
        items = list(key) if isinstance(key, tuple) else [key]
        if sum(item is Ellipsis for item in items) > 1:
            raise IndexError(f"{self._name} takes at most one '...'; got {key!r}")
        if Ellipsis in items:
            at = items.index(Ellipsis)
            items[at : at + 1] = [slice(None)] * (self.ndim - len(items) + 1)
        if len(items) > self.ndim:
            raise IndexError(f"{self._name} has {self.ndim} dimensions; got {len(items)} indices")
        items += [slice(None)] * (self.ndim - len(items))
        bounds: list[slice] = []
        steps: dict[int, np.ndarray] = {}
        squeeze: set[int] = set()
        for axis, (item, size) in enumerate(zip(items, self.shape, strict=True)):
            if isinstance(item, numbers.Integral) and not isinstance(item, bool):
                i = int(item) + size if item < 0 else int(item)
                if not 0 <= i < size:
                    raise IndexError(
                        f"index {item} is out of bounds for axis {axis} of size {size}"
                    )
                bounds.append(slice(i, i + 1))
                squeeze.add(axis)
            elif isinstance(item, slice):
                picked = range(*item.indices(size))
                low = min(picked) if picked else 0
                high = max(picked) + 1 if picked else 0
                bounds.append(slice(low, high))
                if picked.step != 1 and len(picked) > 1:
                    steps[axis] = np.asarray(picked) - low
            else:
                raise TypeError(
                    f"{self._name} takes integers, slices and '...'; got {item!r}. For other "
                    f"indexing read a region first, e.g. np.asarray({self._name}[...])[...]"
                )
        return bounds, steps, squeeze

    def __repr__(self) -> str:
        return f"<{self._name}: lazy, shape={self.shape}, dtype={self.dtype}>"
