"""``array.data`` of the stored kinds: numpy-like views, as DaCapo's zarr arrays were.

Indexing is in voxels, in ``axes`` order, with numpy's rules (negative indices count from the
end, slices clip, integer and boolean arrays select), and returns a new ``numpy.ndarray``
(a numpy scalar for a single voxel). ``view[key] = values`` writes, casting like numpy;
``np.asarray(view)`` reads everything. ``shape``, ``dtype``, ``ndim``, ``size`` and, where
the store has chunks, ``chunks`` describe the stored data.

* :class:`StoreView` serves ``ZarrArray.data`` from the tensorstore handle. tensorstore's own
  indexing takes negative numbers as coordinates, not as counts from the end, so keys are
  normalized here first.
* :func:`roi_view` serves kinds with no local handle (DVID): each read is one ``array[roi]``.
"""

from __future__ import annotations

import numbers
from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from ._limits import check_read
from ._storage.deadline import settle
from ._storage.lazy import LazyView
from ._storage.tserrors import translate
from .errors import ReadOnlyError

if TYPE_CHECKING:
    import tensorstore as ts

    from .array import Array
    from .zarr_array import ZarrArray


class StoreView:
    """``ZarrArray.data``: numpy semantics over the array's tensorstore handle."""

    __slots__ = ("_array",)

    def __init__(self, array: ZarrArray) -> None:
        self._array = array

    @property
    def _handle(self) -> ts.TensorStore:
        return self._array.tensorstore

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self._handle.shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        return np.dtype(self._handle.dtype.numpy_dtype)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def chunks(self) -> tuple[int, ...]:
        """The stored chunk shape in voxels, every axis (channels included)."""
        chunks = self._handle.chunk_layout.read_chunk.shape or self.shape
        return tuple(int(c or n) for c, n in zip(chunks, self.shape, strict=True))

    def __len__(self) -> int:
        return self.shape[0]

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        values = np.asarray(self[...])
        return values if dtype is None else values.astype(dtype, copy=False)

    def __getitem__(self, key: Any) -> Any:
        index = numpy_index(key, self.shape, name=self._name)
        read, then = _split(index, key)
        try:
            box = self._handle[read]
            check_read(self._array, self._world_box(index), box.shape, self.dtype)
            nbytes = box.size * self.dtype.itemsize
            out = settle(box.read(), remote=self._remote, nbytes=nbytes)
        except (ValueError, TimeoutError) as err:
            where = f"cannot read {self._name}[{key!r}] in {self._array._where()}"
            raise translate(err, where) from err
        if then is not None:
            out = out[then]
        if out.ndim == 0 and not _has_ellipsis(key):
            return out[()]  # a numpy scalar, as numpy returns (but a 0-d array after `...`)
        return out

    def __setitem__(self, key: Any, value: Any) -> None:
        if not self._array.writable:
            raise ReadOnlyError(
                f"cannot write to {self._name}: it is read-only ({self._array._why_read_only()})"
            )
        read, then = _split(numpy_index(key, self.shape, name=self._name), key)
        values = np.asarray(value, dtype=self.dtype)  # numpy's casting, as `a[...] = v`
        try:
            if then is not None:  # integer or boolean arrays: read, change, write the box
                block = settle(self._handle[read].read(), remote=self._remote)
                block[then] = values
                values = block
            settle(self._handle[read].write(values), remote=self._remote, nbytes=values.nbytes)
        except (ValueError, TimeoutError) as err:
            where = f"cannot write {self._name}[{key!r}] in {self._array._where()}"
            raise translate(err, where) from err

    @property
    def _remote(self) -> bool:
        return not self._array._container.is_local

    @property
    def _name(self) -> str:
        return f"{self._array._label()}.data"

    def _world_box(self, index: tuple[Any, ...]) -> Roi:
        """The world ROI of the voxels ``index`` touches (to name a refused read)."""
        bounds = _voxel_bounds(index, self.shape)[-self._array.dims :]
        voxel = self._array.voxel_size
        begin = Coordinate(low for low, _ in bounds) * voxel + self._array._data_origin
        return Roi(begin, Coordinate(high - low for low, high in bounds) * voxel)

    def __repr__(self) -> str:
        return f"<{self._name}: shape={self.shape}, dtype={self.dtype}, chunks={self.chunks}>"


def numpy_index(key: Any, shape: tuple[int, ...], *, name: str = "data") -> Any:
    """``key`` with numpy's meaning spelled so tensorstore reads it the same way.

    >>> numpy_index((-1, slice(None, -1), Ellipsis), (4, 5, 6))
    (3, slice(0, 4, 1), slice(0, 6, 1))
    >>> numpy_index(slice(None, None, -1), (3,))
    (slice(2, -1, -1),)
    """
    items = list(key) if isinstance(key, tuple) else [key]
    if sum(item is Ellipsis for item in items) > 1:  # `in`/`index` would compare arrays
        raise IndexError(f"{name} takes at most one '...'; got {key!r}")
    used = sum(_dims_used(item) for item in items if item is not Ellipsis)
    if used > len(shape):
        raise IndexError(f"{name} has {len(shape)} dimensions; got {used} indices in {key!r}")
    ellipsis = [at for at, item in enumerate(items) if item is Ellipsis]
    if ellipsis:
        at = ellipsis[0]
        items[at : at + 1] = [slice(None)] * (len(shape) - used)
    out: list[Any] = []
    axis = 0
    for item in items:
        if item is None:
            out.append(None)
            continue
        out.append(_one(item, shape[axis : axis + _dims_used(item)], axis, name))
        axis += _dims_used(item)
    out += [slice(0, n, 1) for n in shape[axis:]]
    return tuple(out)


def _has_ellipsis(key: Any) -> bool:
    return any(item is Ellipsis for item in (key if isinstance(key, tuple) else (key,)))


def _split(index: tuple[Any, ...], key: Any) -> tuple[tuple[Any, ...], tuple[Any, ...] | None]:
    """``(read, then)``: tensorstore reads the box ``read``, numpy applies ``then`` to it.

    Only keys with integer or boolean arrays need ``then``: numpy's rules for them (where the
    selected axes go, how integers join them, even that a ``...`` between them separates
    them) are applied by numpy itself, to the box.
    """
    if not any(isinstance(item, np.ndarray) for item in index):
        return index, None
    read: list[Any] = []
    then: list[Any] = []
    for item in index:
        if item is None:
            then.append(None)
        elif isinstance(item, int):
            read.append(slice(item, item + 1, 1))
            then.append(0)
        elif isinstance(item, slice):
            read.append(item)
            then.append(slice(None))
        elif item.dtype == bool:
            read += [slice(None)] * item.ndim
            then.append(item)
        else:
            low = int(item.min()) if item.size else 0
            high = int(item.max()) + 1 if item.size else 0
            read.append(slice(low, high, 1))
            then.append(item - low)
    items = key if isinstance(key, tuple) else (key,)
    at = next((i for i, item in enumerate(items) if item is Ellipsis), None)
    if at is not None:  # put the `...` back where the user wrote it
        then[at : at + len(index) - len(items) + 1] = [Ellipsis]
    return tuple(read), tuple(then)


def _voxel_bounds(index: tuple[Any, ...], shape: tuple[int, ...]) -> list[tuple[int, int]]:
    """``(low, high)`` voxel bounds per stored axis of a normalized ``index``."""
    bounds: list[tuple[int, int]] = []
    for item in index:
        if item is None:
            continue
        if isinstance(item, np.ndarray) and item.dtype == bool:
            bounds += [(0, n) for n in shape[len(bounds) : len(bounds) + item.ndim]]
            continue
        picked = (
            range(item, item + 1)
            if isinstance(item, int)
            else range(*item.indices(shape[len(bounds)]))
            if isinstance(item, slice)
            else [int(i) for i in np.ravel(item)]
        )
        bounds.append((min(picked), max(picked) + 1) if len(picked) else (0, 0))
    return bounds


def _dims_used(item: Any) -> int:
    if item is None:
        return 0
    if isinstance(item, np.ndarray | list) and np.asarray(item).dtype == bool:
        return int(np.asarray(item).ndim)
    return 1


def _one(item: Any, sizes: tuple[int, ...], axis: int, name: str) -> Any:
    if isinstance(item, numbers.Integral) and not isinstance(item, bool):
        size = sizes[0]
        i = int(item) + size if item < 0 else int(item)
        if not 0 <= i < size:
            raise IndexError(f"index {item} is out of bounds for axis {axis} of {name} ({size})")
        return i
    if isinstance(item, slice):
        start, stop, step = item.indices(sizes[0])
        if len(range(start, stop, step)) == 0:
            return slice(0, 0, 1)
        return slice(start, stop, step)
    if isinstance(item, np.ndarray | list):
        picks = np.asarray(item)
        if picks.dtype == bool:
            if picks.shape != sizes:
                raise IndexError(
                    f"boolean index of shape {picks.shape} does not match {name} axes of "
                    f"shape {sizes} from axis {axis}"
                )
            return picks
        if picks.dtype.kind in "iu":
            wrapped = np.where(picks < 0, picks + sizes[0], picks)
            if wrapped.size and (wrapped.min() < 0 or wrapped.max() >= sizes[0]):
                raise IndexError(
                    f"index array {item!r} is out of bounds for axis {axis} of {name} ({sizes[0]})"
                )
            return wrapped
    raise IndexError(
        f"{name} takes integers, slices, '...', None and integer or boolean arrays; got {item!r}"
    )


def roi_view(array: Array) -> LazyView:
    """A read-only view whose every read is one ``array[roi]`` (for kinds with no handle)."""
    spatial = array.dims

    def read(index: tuple[slice, ...]) -> np.ndarray:
        channels, cut = index[: len(index) - spatial], index[len(index) - spatial :]
        shape = tuple(s.stop - s.start for s in cut)
        if 0 in shape:
            return np.empty(array._request_shape(array.roi)[: len(channels)] + shape, array.dtype)
        begin = Coordinate(s.start for s in cut) * array.voxel_size + array._data_origin
        block = array[Roi(begin, Coordinate(shape) * array.voxel_size)]
        return block[channels + (slice(None),) * spatial]

    return LazyView(read, array.shape, array.dtype, name=f"{array._label()}.data")
