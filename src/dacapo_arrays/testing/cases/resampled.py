"""Cases for ``ResampledArray``, and an independent reference implementation of resampling.

The reference works on a whole volume at once, as the definitions say and in float64:
numpy striding and ``np.repeat`` for order 0, a block mean over every downsampled axis at
once and ``scipy.ndimage.zoom`` (linear, pixel-extent grid, edge replication) for order 1.
The case data are small integers and the order-1 factors powers of two, so the float32
computation of the array is exact and must equal the reference voxel for voxel.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import scipy.ndimage
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, ResampledArrayConfig
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def reference_resample(
    source: NumpyArray, upsample: Sequence[int], downsample: Sequence[int], order: int
) -> NumpyArray:
    """What ``ResampledArray`` must return for the whole of ``source`` (0 factors mean 1)."""
    up = Coordinate(max(int(f), 1) for f in upsample)
    down = Coordinate(max(int(f), 1) for f in downsample)
    voxel_size = source.voxel_size * down / up
    roi = source.roi.snap_to_grid(voxel_size, mode="shrink")
    values = source[roi]
    first = values.ndim - source.dims
    if order == 0:
        for i, (u, d) in enumerate(zip(up, down, strict=True)):
            index = (slice(None),) * (first + i) + (slice(d // 2, None, d),)
            values = np.repeat(values[index], u, axis=first + i)
        return NumpyArray.from_np_array(values, roi, voxel_size, source.axes)
    result = block_mean(values.astype(np.float64), (1,) * first + tuple(down))
    zoom = (1,) * first + tuple(up)
    result = scipy.ndimage.zoom(result, zoom, order=1, mode="nearest", grid_mode=True)
    if source.dtype.kind in "biu":
        result = np.rint(result)
    return NumpyArray.from_np_array(result.astype(source.dtype), roi, voxel_size, source.axes)


def block_mean(values: np.ndarray, factors: Sequence[int]) -> np.ndarray:
    """The mean over blocks of ``factors`` voxels (every axis at once)."""
    split: list[int] = []
    for n, f in zip(values.shape, factors, strict=True):
        split += [n // f, f]
    means: np.ndarray = values.reshape(split).mean(axis=tuple(range(1, 2 * values.ndim, 2)))
    return means


def _case(
    upsample: tuple[int, ...],
    downsample: tuple[int, ...],
    interp_order: int | bool,
    dtype: str = "uint8",
    **truth_args: object,
) -> Factory:
    def make(tmp_path: Path) -> tuple[ResampledArrayConfig, NumpyArray]:
        source = numpy_truth(dtype="uint8", **truth_args)  # type: ignore[arg-type]
        source = NumpyArray.from_np_array(
            source.data.astype(dtype), source.roi, source.voxel_size, source.axes
        )
        config = ResampledArrayConfig(
            name="resampled",
            source_array_config=zarr_source(tmp_path, source, name="source"),
            upsample=upsample,
            downsample=downsample,
            interp_order=interp_order,
        )
        return config, reference_resample(source, upsample, downsample, int(interp_order))

    return make


CASES = [
    # anisotropic voxels; the x offset 4 is shrunk to the 8 nm grid
    Case("resampled-down-mean-uint8", _case((1, 1, 1), (1, 2, 2), 1)),
    # labels, and 0 factors as the original's DataSplitGenerator wrote them
    Case(
        "resampled-up-nearest-uint64",
        _case((2, 2, 0), (0, 1, 1), False, "uint64", voxel_size=(8, 8, 8), offset=(0, 8, 16)),
    ),
    Case(
        "resampled-up-linear-channels-float32",
        _case((2, 2, 2), (1, 1, 1), 1, "float32", shape=(2, 4, 5, 6), voxel_size=(4, 4, 4)),
    ),
    Case(
        "resampled-mixed-linear-int16-2d",
        _case((2, 1), (1, 2), 1, "int16", shape=(7, 10), voxel_size=(4, 4), offset=(4, 0)),
    ),
    Case(
        "resampled-down-nearest-odd-factor",
        _case((1, 1, 1), (3, 1, 3), 0, shape=(9, 4, 7), voxel_size=(2, 4, 2), offset=(6, 0, 2)),
    ),
]
