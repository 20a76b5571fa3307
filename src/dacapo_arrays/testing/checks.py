"""Assertions the kinds' focused tests share: reads against plain numpy, refused configs."""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import operator
from typing import Any

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import Array, ArrayConfig


def voxel_index(roi: Roi, offset: Coordinate, voxel_size: Coordinate) -> tuple[slice, ...]:
    """The numpy index of ``roi`` (world units) in voxels whose first one sits at ``offset``.

    >>> voxel_index(Roi((8, 4), (16, 4)), Coordinate(0, -4), Coordinate(8, 4))
    (slice(1, 3, None), slice(2, 3, None))
    """
    begin = (roi.begin - offset) / voxel_size
    return tuple(slice(b, b + n) for b, n in zip(begin, roi.shape / voxel_size, strict=True))


def assert_read_equals_numpy(
    array: Array, roi: Roi, values: np.ndarray[Any, Any], offset: Coordinate, voxel: Coordinate
) -> None:
    """``array[roi]`` is ``values`` (stored voxels, the first at ``offset``) sliced at
    ``roi``, in the same dtype, in native byte order."""
    got = array[roi]
    np.testing.assert_array_equal(got, values[voxel_index(roi, offset, voxel)])
    assert got.dtype == values.dtype
    assert got.dtype.isnative


def read_in_a_spawned_process(array: Array, roi: Roi) -> np.ndarray[Any, Any]:
    """``array[roi]`` read in a fresh (spawned) process: ``array`` travels there pickled."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        got: np.ndarray[Any, Any] = pool.submit(operator.getitem, array, roi).result()
    return got


def assert_refused(
    config: ArrayConfig, error: type[Exception], match: str, *, reported: str
) -> None:
    """Building ``config`` raises ``error`` matching ``match``, and ``verify()`` reports the
    problem: not ok, the report starting with ``reported``."""
    with pytest.raises(error, match=match):
        config.create_array()
    ok, problems = config.verify()
    assert not ok
    assert problems.startswith(reported)
