"""Resampling: nearest and block-mean downsampling, nearest and linear upsampling.

Each works along one axis, element by element in a fixed order, so a voxel's value never
depends on the shape of the block it is computed in (what makes tiled reads seamless).
:func:`downsample_mean` is the one block mean: ``ResampledArray`` (order 1) and the blockwise
writer's pyramid levels both call it, so a level made by the writer holds exactly the voxels
a ``ResampledArray`` computes. Where sample points sit is described in
:mod:`..resampled_array`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from funlib.geometry import Coordinate


def _along(axis: int, index: slice | int) -> tuple[slice | int, ...]:
    return (slice(None),) * axis + (index,)


def downsample_nearest(values: np.ndarray, axis: int, factor: int) -> np.ndarray:
    """Voxel ``factor // 2`` of every run of ``factor`` along ``axis`` (length a multiple)."""
    return values[_along(axis, slice(factor // 2, None, factor))]


def upsample_nearest(values: np.ndarray, axis: int, factor: int) -> np.ndarray:
    """Every voxel repeated ``factor`` times along ``axis``."""
    return np.repeat(values, factor, axis=axis)


def sum_along(values: np.ndarray, axis: int, factor: int, dtype: Any) -> np.ndarray:
    """The sum of every run of ``factor`` voxels along ``axis``, in ``dtype``.

    The sum runs in a fixed order, element by element, so a voxel's value does not depend
    on the shape of the block it is computed in.
    """
    shape = values.shape
    blocks = values.reshape((*shape[:axis], shape[axis] // factor, factor, *shape[axis + 1 :]))
    total = blocks[(*_along(axis, slice(None)), 0)].astype(dtype)
    for i in range(1, factor):
        total += blocks[(*_along(axis, slice(None)), i)]
    return total


def mean_over(values: np.ndarray, factors: Sequence[int], dtype: Any) -> np.ndarray:
    """The mean of every block of ``factors`` voxels over the last axes, in ``dtype``.

    Summed axis by axis (:func:`sum_along`), divided once: for integer sources whose block
    sums ``dtype`` holds exactly, the result is the correctly rounded exact mean.
    """
    first = values.ndim - len(factors)
    total = values
    for i, factor in enumerate(factors):
        if factor > 1:  # the first sum casts to ``dtype`` on the fly
            total = sum_along(total, first + i, factor, dtype)
    if total is values:
        return values.astype(dtype)
    total /= int(np.prod(factors))
    return total


def working_dtype(dtype: np.dtype[Any]) -> np.dtype[Any]:
    """Where means and interpolation are computed: float32, or float64 for wider sources."""
    return np.promote_types(dtype, np.float32)


def downsample_mean(values: np.ndarray, factors: Sequence[int]) -> np.ndarray:
    """The mean of every block of ``factors`` voxels over the last ``len(factors)`` axes.

    Computed in :func:`working_dtype` (:func:`mean_over`), then back in the dtype of
    ``values``, integers rounded half to even (:func:`cast_back`). Every extent must be a multiple
    of its factor.

    >>> downsample_mean(np.array([[1, 2], [3, 5]], dtype=np.uint8), (2, 2))
    array([[3]], dtype=uint8)
    >>> downsample_mean(np.array([[1.0, 2.0, 4.0, 8.0]]), (1, 2))
    array([[1.5, 6. ]])
    """
    first = values.ndim - len(factors)
    if any(s % f for s, f in zip(values.shape[first:], factors, strict=True)):
        raise ValueError(
            f"cannot downsample spatial shape {values.shape[first:]} by {tuple(factors)}: "
            f"every extent must be a multiple of its factor"
        )
    return cast_back(mean_over(values, factors, working_dtype(values.dtype)), values.dtype)


def upsample_linear(values: np.ndarray, axis: int, factor: int) -> np.ndarray:
    """Linear interpolation at the output voxel centres, ``factor`` outputs per source voxel.

    ``values`` (floating point) has one voxel of context at each end of ``axis``: ``M + 2``
    voxels along ``axis`` give ``M * factor``. Output ``r`` of source voxel ``m`` sits at
    ``m + (2r + 1 - factor) / (2 factor)``, between ``m`` and the neighbour on that side.
    """
    shape = values.shape
    inner = shape[axis] - 2
    out = np.empty((*shape[:axis], inner, factor, *shape[axis + 1 :]), dtype=values.dtype)
    centre = values[_along(axis, slice(1, inner + 1))]
    for r in range(factor):
        position = (2 * r + 1 - factor) / (2 * factor)
        target = out[(*_along(axis, slice(None)), r)]
        start = 0 if position < 0 else 2
        np.multiply(centre, 1 - abs(position), out=target)
        if position != 0:
            target += abs(position) * values[_along(axis, slice(start, start + inner))]
    return out.reshape((*shape[:axis], inner * factor, *shape[axis + 1 :]))


def resample_block(values: np.ndarray, up: Coordinate, down: Coordinate, order: int) -> np.ndarray:
    """Resample the spatial axes (the last ``len(up)``) of a block read from the source.

    Order 1 needs, and consumes, one voxel of context at both ends of every upsampled axis.
    The result covers whole source voxels and has the source dtype.
    """
    first = values.ndim - len(up)
    if order == 0:
        for i, (u, d) in enumerate(zip(up, down, strict=True)):
            if d > 1:
                values = downsample_nearest(values, first + i, d)
            if u > 1:
                values = upsample_nearest(values, first + i, u)
        return np.ascontiguousarray(values)
    dtype, work = values.dtype, working_dtype(values.dtype)
    if any(d > 1 for d in down):
        values = mean_over(values, down, work)
    for i, u in enumerate(up):
        if u > 1:
            values = upsample_linear(values.astype(work, copy=False), first + i, u)
    return cast_back(values, dtype)


def cast_back(values: np.ndarray, dtype: np.dtype[Any]) -> np.ndarray:
    """Computed values in the source dtype: rounded (half to even) unless floating point."""
    if values.dtype == dtype:
        return values
    if dtype.kind in "biu":
        values = np.rint(values)
    return values.astype(dtype)


__all__ = [
    "cast_back",
    "downsample_mean",
    "downsample_nearest",
    "mean_over",
    "resample_block",
    "sum_along",
    "upsample_linear",
    "upsample_nearest",
    "working_dtype",
]
