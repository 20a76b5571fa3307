"""2x downsampling of one block for pyramids: mean for intensities, mode for labels.

Plain functions on numpy arrays; the spatial axes are the last ``dims`` axes, any leading
channel axis is kept. Every spatial extent must be even (the writer reads exactly twice the
output block).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays.errors import ConfigError

if TYPE_CHECKING:
    from dacapo.experiments.datasplits.datasets.arrays import Array

METHODS = ("auto", "mean", "mode")


def method_for(array: Array, requested: str = "auto") -> str:
    """``"mode"`` or ``"mean"``: ``requested`` unless ``"auto"``, which asks
    ``array.is_labels`` (labels take the mode, intensities the mean) and refuses to guess
    when it is ``None``: a mean of label ids invents ids, a mode of intensities posterizes.
    """
    if requested not in METHODS:
        raise ValueError(f"unknown downsampling {requested!r}; use one of {list(METHODS)}")
    if requested != "auto":
        return requested
    if array.is_labels is None:
        raise ConfigError(
            f"cannot tell whether {array._label()} (dtype {array.dtype}) holds labels or "
            f"intensities, and its pyramid levels depend on it: nothing in its metadata says, "
            f"and {array.dtype} is used for both; choose with `--downsample mode` (labels) or "
            f"`--downsample mean` (intensities), in Python downsample='mode' or 'mean', or set "
            f"is_labels on the array's config"
        )
    return "mode" if array.is_labels else "mean"


def _windows(data: np.ndarray, dims: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """``data`` as (..., n_windows, 2**dims): one row per 2x..x2 window, in C order."""
    lead = data.shape[: data.ndim - dims]
    spatial = data.shape[data.ndim - dims :]
    if any(s % 2 for s in spatial):
        raise ValueError(f"cannot halve spatial shape {spatial}: every extent must be even")
    half = tuple(s // 2 for s in spatial)
    split = data.reshape(*lead, *[n for h in half for n in (h, 2)])
    nl = len(lead)
    order = (
        *range(nl),
        *(nl + 2 * i for i in range(dims)),
        *(nl + 2 * i + 1 for i in range(dims)),
    )
    windows = split.transpose(order).reshape(*lead, int(np.prod(half)), 2**dims)
    return windows, (*lead, *half)


def downsample_mean(data: np.ndarray, dims: int) -> np.ndarray:
    """The mean of every 2x2x2 window; integers are rounded half to even.

    >>> downsample_mean(np.array([[1, 2], [3, 5]], dtype=np.uint8), dims=2)
    array([[3]], dtype=uint8)
    """
    windows, shape = _windows(data, dims)
    mean: np.ndarray = windows.mean(axis=-1, dtype=np.float64)
    if np.issubdtype(data.dtype, np.integer):
        mean = np.rint(mean)
    return mean.astype(data.dtype).reshape(shape)


def downsample_mode(data: np.ndarray, dims: int) -> np.ndarray:
    """The most frequent value of every window; ties go to the value met first (C order).

    So a window of all-different labels keeps its first voxel (nearest neighbour).

    >>> downsample_mode(np.array([[7, 3], [3, 9]], dtype=np.uint64), dims=2)
    array([[3]], dtype=uint64)
    >>> downsample_mode(np.array([[7, 3], [5, 9]], dtype=np.uint64), dims=2)
    array([[7]], dtype=uint64)
    """
    windows, shape = _windows(data, dims)
    counts = np.zeros(windows.shape, dtype=np.uint8)
    for j in range(windows.shape[-1]):
        counts += windows == windows[..., j : j + 1]
    first_max = counts.argmax(axis=-1)
    picked = np.take_along_axis(windows, first_max[..., None], axis=-1)[..., 0]
    return picked.reshape(shape)


def downsample(data: np.ndarray, dims: int, method: str) -> np.ndarray:
    """Halve the last ``dims`` axes of ``data`` with ``method`` (``"mean"`` or ``"mode"``)."""
    if method == "mean":
        return downsample_mean(data, dims)
    if method == "mode":
        return downsample_mode(data, dims)
    raise ValueError(f"unknown downsampling {method!r}; use 'mean' or 'mode'")
