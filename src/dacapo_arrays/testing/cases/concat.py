"""Cases for ``ConcatArray``: zero and default channels, ROI intersection, promoted dtype."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ConcatArrayConfig,
    NumpyArray,
)
from dacapo_arrays.testing.case import Case
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _stack(channels: list[NumpyArray | None], roi: Roi, dtype: np.dtype[Any]) -> NumpyArray:
    present = next(c for c in channels if c is not None)
    shape = tuple(int(s) for s in roi.shape / present.voxel_size)
    planes = [np.zeros(shape, dtype) if c is None else c[roi].astype(dtype) for c in channels]
    return NumpyArray.from_np_array(
        np.stack(planes), roi, present.voxel_size, ["c", *present.spatial_axes]
    )


def _zeros_and_intersection(tmp_path: Path) -> tuple[ConcatArrayConfig, NumpyArray]:
    a = numpy_truth(dtype="uint8", seed=1)
    b = numpy_truth(dtype="float32", seed=2, offset=(32, 0, 12), shape=(6, 10, 12))
    sources: dict[str, ArrayConfig] = {
        "a": zarr_source(tmp_path, a, name="a"),
        "b": zarr_source(tmp_path, b, name="b", container="b.n5"),
    }
    config = ConcatArrayConfig(
        name="cat", channels=["b", "none", "a"], source_array_configs=sources
    )
    roi = a.roi.intersect(b.roi)
    return config, _stack([b, None, a], roi, np.dtype(np.float32))


def _default(tmp_path: Path) -> tuple[ConcatArrayConfig, NumpyArray]:
    a = numpy_truth(dtype="uint16", seed=3, voxel_size=(4, 4, 4))
    fill = numpy_truth(dtype="int8", seed=4, voxel_size=(4, 4, 4))
    sources: dict[str, ArrayConfig] = {"a": zarr_source(tmp_path, a, name="a")}
    config = ConcatArrayConfig(
        name="cat",
        channels=["x", "a", "y"],
        source_array_configs=sources,
        default_config=zarr_source(tmp_path, fill, name="fill"),
    )
    return config, _stack([fill, a, fill], a.roi, np.dtype(np.int32))


CASES = [
    Case("concat-zeros-intersection", _zeros_and_intersection),
    Case("concat-default", _default),
]
