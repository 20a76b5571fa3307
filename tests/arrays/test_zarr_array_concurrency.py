"""Many threads reading one array; spawned processes writing disjoint chunks and reading a
pickled array (tensorstore is not fork-safe: handles are reopened in each process)."""

from __future__ import annotations

import itertools
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import random_volume

SPAWN = multiprocessing.get_context("spawn")


def test_many_threads_read_one_array(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(3, 24, 30, 36), dtype="uint16", voxel_size=(4, 2, 2))
    array = zarr_source(tmp_path, truth, write_size=Coordinate(32, 16, 16)).to_array()
    rng = np.random.default_rng(5)
    rois = []
    for _ in range(64):
        shape = Coordinate(rng.integers(1, 12, 3)) * truth.voxel_size
        begin = [
            b + int(rng.integers(0, (s - w) // v + 1)) * v
            for b, s, w, v in zip(
                truth.roi.begin, truth.roi.shape, shape, truth.voxel_size, strict=True
            )
        ]
        rois.append(Roi(begin, shape))
    with ThreadPoolExecutor(8) as pool:  # the handle is opened by whichever thread comes first
        results = list(pool.map(array.__getitem__, rois))
    for roi, got in zip(rois, results, strict=True):
        np.testing.assert_array_equal(got, truth[roi])


def test_processes_write_disjoint_chunks_at_once(tmp_path: Path) -> None:
    voxel = Coordinate(4, 4, 4)
    chunk = Coordinate(8, 8, 8)
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(tmp_path / "out.zarr", "pred"),
        ["c", "z", "y", "x"],
        Roi((0, 0, 0), voxel * 32),
        2,
        voxel,
        np.float32,
        write_size=chunk * voxel,
    )
    assert array.chunk_shape == (8, 8, 8)
    expected = np.zeros(array.shape, np.float32)
    jobs = []
    for index in itertools.product(range(4), repeat=3):
        roi = Roi(Coordinate(index) * chunk * voxel, chunk * voxel)
        values = random_volume((2, 8, 8, 8), "float32", seed=sum(index) * 31 + index[0])
        expected[(slice(None), *(slice(i * 8, i * 8 + 8) for i in index))] = values
        jobs.append((roi, values))
    with ProcessPoolExecutor(4, mp_context=SPAWN) as pool:
        for done in [pool.submit(array.__setitem__, roi, values) for roi, values in jobs]:
            done.result()
    np.testing.assert_array_equal(array[array.roi], expected)


def test_a_pickled_array_reads_in_spawned_processes(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(12, 14, 16), dtype="int64", voxel_size=(2, 2, 2), offset=(0, 0, 0))
    array = zarr_source(tmp_path, truth, container="data.n5").to_array()
    array[array.roi]  # the parent has an open handle; the pickle must not carry it
    shipped = pickle.loads(pickle.dumps(array))
    rois = [Roi((z, 0, 0), (8, 28, 32)) for z in range(0, 24, 8)]
    with ProcessPoolExecutor(2, mp_context=SPAWN) as pool:
        results = list(pool.map(shipped.__getitem__, rois))
    for roi, got in zip(rois, results, strict=True):
        np.testing.assert_array_equal(got, truth[roi])
