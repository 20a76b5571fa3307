"""``ArrayConfig.array(mode)`` and ``Array.to_funlib()`` against the real funlib.persistence."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, ReadOnlyError
from dacapo_arrays.testing import Case, all_cases

fp = pytest.importorskip("funlib.persistence")
CASES = all_cases()


@pytest.mark.parametrize("spec", CASES, ids=[c.id for c in CASES])
def test_every_config_opens_as_a_funlib_array(tmp_path: Path, spec: Case) -> None:
    config, truth = spec.make(tmp_path)
    array = config.array(mode="r")
    assert isinstance(array, fp.Array)
    assert array.roi == truth.roi
    assert array.voxel_size == truth.voxel_size
    assert array.offset == truth.roi.begin
    assert array.axis_names == truth.axes
    assert array.types == ["channel" if a == "c" else "space" for a in truth.axes]
    assert list(array.units) == ["nm"] * truth.dims
    assert array.dtype == truth.dtype
    np.testing.assert_array_equal(array.to_ndarray(truth.roi), truth[truth.roi])
    two = Coordinate(min(2 * v, s) for v, s in zip(truth.voxel_size, truth.roi.shape, strict=True))
    part = Roi(truth.roi.begin, two)
    np.testing.assert_array_equal(array[part], truth[part])
    outside = truth.roi.grow(truth.voxel_size, Coordinate((0,) * truth.dims))
    padded = array.to_ndarray(outside, fill_value=0)
    np.testing.assert_array_equal(padded[(..., *(slice(1, None),) * truth.dims)], truth[truth.roi])


class _Spy(NumpyArray):
    def _read(self, roi: Roi) -> np.ndarray:
        self.__dict__.setdefault("reads", []).append(roi)
        return super()._read(roi)


def test_to_funlib_reads_nothing_until_indexed() -> None:
    source = _Spy(np.arange(4 * 6 * 8).reshape(4, 6, 8), voxel_size=(2, 2, 2))
    array = source.to_funlib()
    assert "reads" not in source.__dict__
    roi = Roi((2, 2, 2), (2, 4, 6))
    np.testing.assert_array_equal(array[roi], source[roi])
    assert source.__dict__["reads"]


def test_writes_through_the_funlib_array_reach_the_store(tmp_path: Path) -> None:
    spec = next(c for c in CASES if c.writable and not c.virtual and "zarr" in c.id)
    config, truth = spec.make(tmp_path)
    array = config.array(mode="r+")
    values = np.ones(truth.shape, truth.dtype)
    array[truth.roi] = values
    np.testing.assert_array_equal(config.create_array()[truth.roi], values)


def test_read_only_kinds_refuse_a_writing_mode(tmp_path: Path) -> None:
    spec = next(c for c in CASES if c.virtual)
    config, _ = spec.make(tmp_path)
    with pytest.raises(ReadOnlyError, match=r"cannot open .* with mode 'r\+': it is read-only"):
        config.array(mode="r+")
