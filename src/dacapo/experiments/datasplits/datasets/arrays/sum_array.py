"""``SumArray``: the voxel-wise sum of arrays with equal geometry, without silent overflow."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from funlib.geometry import Roi

from ._geometry import format_coordinate, format_roi, to_coordinate
from ._labels import agreed
from ._multi_source import Named, describe
from ._reads import gather, then
from ._virtual_array import VirtualArray
from .array import Array
from .errors import GeometryError, ValueRangeError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .sum_array_config import SumArrayConfig

_INT64 = np.iinfo(np.int64)


def sum_dtype(dtypes: Sequence[np.dtype[Any]]) -> np.dtype[Any]:
    """The dtype of a sum of arrays of ``dtypes``.

    Integers and booleans accumulate in 64 bits, as ``numpy.sum`` does: ``uint64`` when every
    source is unsigned or bool, ``int64`` as soon as one is signed. With a floating-point
    source it is ``numpy.result_type`` of the sources (``float32`` stays ``float32``,
    ``float32`` with ``int32`` gives ``float64``).

    >>> sum_dtype([np.dtype("uint8"), np.dtype("uint8")])
    dtype('uint64')
    >>> sum_dtype([np.dtype("uint16"), np.dtype("int8")])
    dtype('int64')
    >>> sum_dtype([np.dtype("float32"), np.dtype("uint8")])
    dtype('float32')
    """
    if any(d.kind in "fc" for d in dtypes):
        return np.result_type(*dtypes)
    if any(d.kind == "i" for d in dtypes):
        return np.dtype(np.int64)
    return np.dtype(np.uint64)


def needs_overflow_check(dtypes: Sequence[np.dtype[Any]]) -> bool:
    """Whether a 64-bit integer sum of ``dtypes`` can wrap around.

    Sources of up to 32 bits cannot: even 2**31 of them fit in 64 bits.
    """
    return sum_dtype(dtypes).kind in "iu" and any(d.itemsize >= 8 for d in dtypes)


def add_checked(total: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Add ``values`` to ``total`` in place, in ``total``'s 64-bit integer dtype.

    Returns a boolean array, True where the true sum does not fit (``total`` holds wrapped
    values there).

    >>> total = np.array([2**64 - 2, 5], np.uint64)
    >>> add_checked(total, np.array([1, 2**64 - 1], np.uint64))
    array([False,  True])
    """
    big = np.zeros(values.shape, bool)
    too_big = big
    if total.dtype.kind == "i" and values.dtype == np.uint64:
        big = values > _INT64.max
        values = values.astype(np.int64)  # a big value v becomes v - 2**64
        if big.any():
            # v = 2**63 + d: the sum fits int64 iff total + d <= -1, which needs total < 0
            # (min(total, 0) + d cannot overflow)
            d = values[big] - np.int64(_INT64.min)
            too_big = np.zeros(values.shape, bool)
            too_big[big] = np.minimum(total[big], 0) + d >= 0
    else:
        values = values.astype(total.dtype, copy=False)
    if total.dtype.kind == "u":
        np.add(total, values, out=total)
        wrapped = total < values
    else:
        before = total.copy()
        np.add(total, values, out=total)
        wrapped = ((before ^ total) & (values ^ total)) < 0
        wrapped &= ~big  # decided exactly above
    return np.logical_or(too_big, wrapped)


class SumArray(VirtualArray):
    """The voxel-wise sum of arrays with equal axes, ROI (hence shape) and voxel size.

    ``dtype`` follows :func:`sum_dtype`: ``uint8 + uint8`` is ``uint64``, so sources of up
    to 32 bits never overflow; with a 64-bit integer source every addition is checked and a
    sum that does not fit raises :class:`~.errors.ValueRangeError` naming where. Floating
    point sums follow IEEE rules (they reach ``inf`` rather than wrap). Channel axes are kept:
    sources with ``c`` must have the same number of channels. ``attrs`` are the first
    source's.
    """

    def __init__(self, array_config: SumArrayConfig) -> None:
        super().__init__(array_config)
        named = [(f"source_array_configs[{i}]", a) for i, a in enumerate(self.sources)]
        _check_equal_geometry(named, self._label())
        dtypes = [a.dtype for a in self.sources]
        self._checked = needs_overflow_check(dtypes)
        self.spec = attrs.evolve(
            self.spec, dtype=sum_dtype(dtypes), is_labels=agreed(a.is_labels for a in self.sources)
        )

    @property
    def source_arrays(self) -> list[Array]:
        """The arrays added, in order."""
        return list(self.sources)

    def _read(self, roi: Roi) -> np.ndarray:
        return self._sum((source[roi] for source in self.sources), roi)  # one block at a time

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        """Every source's read in flight at once; summed when all are in."""
        return then(gather(source.read_async(roi) for source in self.sources), self._sum, roi)

    def _sum(self, blocks: Iterable[np.ndarray], roi: Roi) -> np.ndarray:
        """The sum of the sources' ``blocks`` (in source order); the blocks are not changed."""
        blocks = iter(blocks)
        if not self._checked:
            total = next(blocks).astype(self.dtype)
            for block in blocks:
                np.add(total, block, out=total)
            return total
        total = np.zeros(self._request_shape(roi), self.dtype)
        for block in blocks:  # the first too: uint64 values may not fit int64
            wrapped = add_checked(total, block)
            if wrapped.any():
                raise self._overflow(roi, wrapped)
        return total

    def _overflow(self, roi: Roi, wrapped: np.ndarray) -> ValueRangeError:
        first = np.argwhere(wrapped)[0]
        spatial = first[-self.dims :]
        position = roi.begin + to_coordinate([int(i) for i in spatial]) * self.voxel_size
        channel = f" channel {int(first[0])}," if self.num_channels is not None else ""
        return ValueRangeError(
            f"{self._label()}: the sum does not fit its dtype {self.dtype} at "
            f"{int(wrapped.sum())} voxel(s) of ROI {format_roi(roi)} (first at{channel} world "
            f"position {format_coordinate(position)}); sum fewer or smaller values, or convert "
            f"the sources to floating point first"
        )


def _check_equal_geometry(sources: list[Named], owner: str) -> None:
    first_label, first = sources[0]
    for label, array in sources[1:]:
        for what, mine, theirs in (
            ("axes", first.axes, array.axes),
            ("num_channels", first.num_channels, array.num_channels),
            ("voxel_size", first.voxel_size, array.voxel_size),
            ("roi", first.roi, array.roi),
        ):
            if mine != theirs:
                shown = [format_roi(v) if isinstance(v, Roi) else v for v in (mine, theirs)]
                raise GeometryError(
                    f"{owner}: sources differ in {what}: {first_label} ({describe(first)}) has "
                    f"{shown[0]}, {label} ({describe(array)}) has {shown[1]}; a voxel-wise sum "
                    f"needs equal axes, channels, voxel size and ROI: crop or resample the "
                    f"sources to match"
                )
