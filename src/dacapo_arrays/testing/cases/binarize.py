"""Cases for ``BinarizeArray``: zarr and N5 labels, mixed groupings, nested in a crop."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    BinarizeArrayConfig,
    CropArrayConfig,
    NumpyArray,
)
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source

#: One group each: few ids, every label but the background, many ids, background listed.
GROUPINGS = [("a", [1, 2]), ("all", []), ("many", list(range(3, 15))), ("with-bg", [0, 7, 7])]


def binarize_reference(
    labels: np.ndarray, groupings: Sequence[tuple[str, Sequence[int]]], background: int
) -> np.ndarray:
    """The meaning of a binarize, voxel by voxel on exact Python integers (any dtype)."""
    flat = labels.ravel().tolist()
    channels = []
    for _, ids in groupings:
        wanted = set(ids)
        channels.append([v != background and (not wanted or v in wanted) for v in flat])
    return np.array(channels, np.uint8).reshape((len(groupings), *labels.shape))


def binarized_truth(
    labels: NumpyArray, groupings: Sequence[tuple[str, Sequence[int]]], background: int = 0
) -> NumpyArray:
    values = binarize_reference(labels[labels.roi], groupings, background)
    return NumpyArray.from_np_array(values, labels.roi, labels.voxel_size, ["c", *labels.axes])


def _zarr(container: str, dtype: str, background: int = 0) -> Factory:
    def make(tmp_path: Path) -> tuple[BinarizeArrayConfig, NumpyArray]:
        labels = numpy_truth(dtype=dtype, voxel_size=(4, 4, 8), offset=(-8, 0, 16))
        source = zarr_source(tmp_path, labels, name="labels", container=container)
        config = BinarizeArrayConfig(
            name="gt", source_array_config=source, groupings=GROUPINGS, background=background
        )
        return config, binarized_truth(labels, GROUPINGS, background)

    return make


def _of_crop(tmp_path: Path) -> tuple[BinarizeArrayConfig, NumpyArray]:
    labels = numpy_truth(dtype="uint64", seed=3)
    crop_roi = Roi((24, -4, 12), (24, 28, 32))
    source = zarr_source(tmp_path, labels, name="labels")
    crop = CropArrayConfig(name="crop", source_array_config=source, roi=crop_roi)
    groupings = [("mito", [3, 4, 5]), ("rest", [])]
    config = BinarizeArrayConfig(name="gt", source_array_config=crop, groupings=groupings)
    cropped = NumpyArray.from_np_array(labels[crop_roi], crop_roi, labels.voxel_size, labels.axes)
    return config, binarized_truth(cropped, groupings)


CASES = [
    Case("binarize-zarr-uint64", _zarr("data.zarr", "uint64")),
    Case("binarize-n5-int32-background-7", _zarr("data.n5", "int32", background=7)),
    Case("binarize-of-crop", _of_crop),
]
