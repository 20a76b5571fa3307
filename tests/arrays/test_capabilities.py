"""What some arrays can do beyond ``Array``: public Protocols, checked with ``isinstance``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    HasChunks,
    HasLevels,
    NumpyArray,
    SumArrayConfig,
    format_coordinate,
    format_roi,
)
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def test_stored_zarr_arrays_have_chunks_and_levels(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(6, 10, 12), voxel_size=(8, 4, 4), offset=(16, -8, 4))
    config = zarr_source(tmp_path, truth, name="raw", dataset="raw/s0",
                         write_size=Coordinate(16, 8, 8))  # fmt: skip
    array = config.create_array()
    assert isinstance(array, HasChunks)
    assert isinstance(array, HasLevels)
    assert array.chunk_shape == (2, 2, 2)
    summed = SumArrayConfig(name="sum", source_array_configs=[config, config]).create_array()
    assert not isinstance(summed, HasChunks)
    assert not isinstance(summed, HasLevels)


def test_numpy_arrays_have_neither() -> None:
    array = NumpyArray.from_np_array(np.zeros((2, 2), np.uint8), Roi((0, 0), (2, 2)), (1, 1),
                                     ["y", "x"])  # fmt: skip
    assert not isinstance(array, HasChunks)
    assert not isinstance(array, HasLevels)


def test_formatting_is_public() -> None:
    assert format_roi(Roi((0, -8), (16, 24))) == "[0:16, -8:16] (nm)"
    assert format_roi(Roi((0, 0), (4, 4)), units="0.01 nm") == "[0:4, 0:4] (0.01 nm)"
    assert format_coordinate(Coordinate(8, 4, 4)) == "(8, 4, 4)"
