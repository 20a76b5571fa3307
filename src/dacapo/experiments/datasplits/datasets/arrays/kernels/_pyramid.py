"""Pyramid levels: every spatial extent halved, by block mean (intensities) or mode (labels).

The spatial axes are the last ``dims``; a leading channel axis is kept. Every spatial extent
must be even (the blockwise writer reads exactly twice the output block). The mean is
:func:`._resample.downsample_mean`, the one ``ResampledArray`` computes.
"""

from __future__ import annotations

import numpy as np

from ._resample import downsample_mean

#: The ways :func:`halve` computes a level.
HALVING = ("mean", "mode")


def _windows(data: np.ndarray, dims: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """``data`` as (..., n_windows, 2**dims): one row per 2x..x2 window, in C order."""
    lead = data.shape[: data.ndim - dims]
    half = tuple(s // 2 for s in data.shape[data.ndim - dims :])
    split = data.reshape(*lead, *[n for h in half for n in (h, 2)])
    nl = len(lead)
    order = (
        *range(nl),
        *(nl + 2 * i for i in range(dims)),
        *(nl + 2 * i + 1 for i in range(dims)),
    )
    windows = split.transpose(order).reshape(*lead, int(np.prod(half)), 2**dims)
    return windows, (*lead, *half)


def downsample_mode(data: np.ndarray, dims: int) -> np.ndarray:
    """The most frequent value of every 2x..x2 window; ties go to the value met first (C order).

    So a window of all-different labels keeps its first voxel (nearest neighbour).

    >>> downsample_mode(np.array([[7, 3], [3, 9]], dtype=np.uint64), dims=2)
    array([[3]], dtype=uint64)
    >>> downsample_mode(np.array([[7, 3], [5, 9]], dtype=np.uint64), dims=2)
    array([[7]], dtype=uint64)
    """
    _check_even(data, dims)
    windows, shape = _windows(data, dims)
    counts = np.zeros(windows.shape, dtype=np.uint8)
    for j in range(windows.shape[-1]):
        counts += windows == windows[..., j : j + 1]
    first_max = counts.argmax(axis=-1)
    picked = np.take_along_axis(windows, first_max[..., None], axis=-1)[..., 0]
    return picked.reshape(shape)


def halve(data: np.ndarray, dims: int, method: str) -> np.ndarray:
    """Halve the last ``dims`` axes of ``data`` by ``method`` (``"mean"`` or ``"mode"``).

    >>> halve(np.array([[1, 2], [3, 5]], dtype=np.uint8), 2, "mean")
    array([[3]], dtype=uint8)
    """
    if method not in HALVING:
        raise ValueError(f"unknown downsampling {method!r}; use 'mean' or 'mode'")
    _check_even(data, dims)
    if method == "mean":
        return downsample_mean(data, (2,) * dims)
    return downsample_mode(data, dims)


def _check_even(data: np.ndarray, dims: int) -> None:
    spatial = data.shape[data.ndim - dims :]
    if any(s % 2 for s in spatial):
        raise ValueError(f"cannot halve spatial shape {spatial}: every extent must be even")


__all__ = ["HALVING", "downsample_mode", "halve"]
