"""The calls DaCapo's own code makes on ZarrArray, made the way it makes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray

VOXEL = Coordinate(4, 4, 4)
ROI = Roi((8, 0, 4), (40, 32, 24))


def _created(tmp_path: Path, *args, **kwargs) -> ZarrArray:
    return ZarrArray.create_from_array_identifier(
        ArrayIdentifier(tmp_path / "out.zarr", "pred"),
        ["c", "z", "y", "x"],
        ROI,
        2,
        VOXEL,
        np.float32,
        *args,
        **kwargs,
    )


def test_create_takes_write_size_seventh_and_mode_by_keyword(tmp_path: Path) -> None:
    array = _created(tmp_path, VOXEL * 4, "prediction", True, mode="r+")
    assert (array.name, array.mode, array.chunk_shape) == ("prediction", "r+", (4, 4, 4))
    assert (array.roi, array.voxel_size, array.num_channels) == (ROI, VOXEL, 2)
    with pytest.raises(TypeError, match="positional"):
        _created(tmp_path, VOXEL * 4, "prediction", True, "r+")


def test_daisy_array_reads_like_funlib(tmp_path: Path) -> None:
    array = _created(tmp_path, VOXEL * 4)
    values = np.random.default_rng(0).random(array.shape, dtype=np.float32)
    array[array.roi] = values
    daisy = array._daisy_array
    assert (daisy.roi, daisy.voxel_size, daisy.chunk_shape) == (ROI, VOXEL, Coordinate(4, 4, 4))
    assert daisy.dtype == np.float32
    np.testing.assert_array_equal(daisy.to_ndarray(), values)
    np.testing.assert_array_equal(daisy.to_ndarray(roi=ROI), values)
    outside = ROI.grow(VOXEL, VOXEL)  # one voxel more on every side
    got = daisy.to_ndarray(roi=outside, fill_value=0)
    expected = np.zeros((2, *(outside.shape / VOXEL)), np.float32)
    expected[:, 1:-1, 1:-1, 1:-1] = values
    np.testing.assert_array_equal(got, expected)
    far = Roi((1000, 1000, 1000), (8, 8, 8))
    np.testing.assert_array_equal(daisy.to_ndarray(far, fill_value=7), np.full((2, 2, 2, 2), 7))
    daisy[Roi((8, 0, 4), (4, 4, 4))] = np.ones((2, 1, 1, 1), np.float32)
    assert array[Roi((8, 0, 4), (4, 4, 4))].ravel().tolist() == [1, 1]
