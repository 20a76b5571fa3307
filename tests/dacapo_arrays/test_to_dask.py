"""``Array.to_dask()``: every chunk is one ``array[roi]``; computing it equals a whole read."""

from __future__ import annotations

import pickle
from pathlib import Path

import dask
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import GeometryError, NumpyArray
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import random_volume, voxel_sizes


@settings(max_examples=20, deadline=None)
@given(
    shape=st.lists(st.integers(1, 9), min_size=3, max_size=3),
    channels=st.sampled_from([None, 1, 3]),
    chunks=st.lists(st.integers(1, 5), min_size=3, max_size=3),
    voxel=voxel_sizes(3, max_size=6),
    offset=st.lists(st.integers(-4, 4), min_size=3, max_size=3),
)
def test_any_chunking_computes_to_the_whole_read(shape, channels, chunks, voxel, offset) -> None:
    full = tuple(shape) if channels is None else (channels, *shape)
    axes = ["z", "y", "x"] if channels is None else ["c", "z", "y", "x"]
    begin = Coordinate(offset) * voxel
    array = NumpyArray.from_np_array(
        random_volume(full, "uint16"), Roi(begin, Coordinate(shape) * voxel), voxel, axes
    )
    lazy = array.to_dask(chunks=tuple(chunks))
    assert lazy.shape == array.shape
    assert lazy.dtype == array.dtype
    spatial = lazy.chunks[-3:]
    assert all(c[:-1] == (n,) * (len(c) - 1) for c, n in zip(spatial, chunks, strict=True))
    if channels is not None:
        assert lazy.chunks[0] == (channels,)  # channels are never split
    with dask.config.set(scheduler="synchronous"):
        np.testing.assert_array_equal(lazy.compute(), array[array.roi])


def test_stored_chunks_are_the_default_and_tasks_pickle(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(2, 12, 10, 9), dtype="float32", voxel_size=(8, 4, 4))
    config = zarr_source(tmp_path, truth, name="raw", write_size=Coordinate(32, 16, 16))
    array = config.create_array()
    lazy = array.to_dask()
    if getattr(array, "chunk_shape", None) is None:
        assert lazy.chunks[1:] == ((12,), (10,), (9,))  # 64 per axis, clipped
    else:
        assert lazy.chunks[1:] == ((4, 4, 4), (4, 4, 2), (4, 4, 1))
    restored = pickle.loads(pickle.dumps(lazy))
    np.testing.assert_array_equal(restored.compute(scheduler="threads"), truth[truth.roi])
    np.testing.assert_array_equal(
        lazy[:, 3:7, 2:9, 1:2].compute(), truth[truth.roi][:, 3:7, 2:9, 1:2]
    )


class _Spy(NumpyArray):
    """Remembers every ROI read (on the instance: dask may copy closures, not the array)."""

    def _read(self, roi: Roi) -> np.ndarray:
        self.__dict__.setdefault("reads", []).append(roi)
        return super()._read(roi)


def test_each_chunk_reads_only_its_roi() -> None:
    array = _Spy(np.arange(4 * 6 * 6).reshape(4, 6, 6), voxel_size=(2, 2, 2))
    lazy = array.to_dask(chunks=(2, 3, 3))
    assert lazy.numblocks == (2, 2, 2)
    part = lazy[2:, :3, :3].compute(scheduler="synchronous")
    np.testing.assert_array_equal(part, array.data[2:, :3, :3])
    assert array.reads == [Roi((4, 0, 0), (4, 6, 6))]


@pytest.mark.parametrize("chunks", [(0, 1, 1), (2, 2), (1, 2, 3, 4)])
def test_bad_chunks_are_refused_with_the_rule(chunks) -> None:
    array = NumpyArray(np.zeros((2, 2, 2)))
    with pytest.raises(
        GeometryError, match=r"must give one positive number of voxels per spatial axis \(3 axes"
    ):
        array.to_dask(chunks=chunks)
