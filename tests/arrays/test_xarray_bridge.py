"""``Array.to_xarray()`` against the real xarray: lazy, voxel-centre coordinates in nm."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
from dacapo_arrays.testing import Case, all_cases

xarray = pytest.importorskip("xarray")
dask_array = pytest.importorskip("dask.array")
CASES = all_cases()


@pytest.mark.parametrize("spec", CASES, ids=[c.id for c in CASES])
def test_every_kind_becomes_a_lazy_data_array(tmp_path: Path, spec: Case) -> None:
    config, truth = spec.make(tmp_path)
    array = config.create_array()
    lazy = array.to_xarray()
    assert isinstance(lazy, xarray.DataArray)
    assert isinstance(lazy.data, dask_array.Array)
    assert list(lazy.dims) == truth.axes
    np.testing.assert_array_equal(lazy.values, truth[truth.roi])
    spatial = zip(truth.spatial_axes, truth.roi.begin, truth.voxel_size, strict=True)
    for axis, begin, voxel in spatial:
        coordinate = lazy.coords[axis]
        assert coordinate.attrs["units"] == "nm"
        assert float(coordinate[0]) == begin + voxel / 2
        np.testing.assert_allclose(np.diff(coordinate.values), voxel)
    assert lazy.attrs["coordinate_positions"] == "voxel centres"
    assert lazy.attrs["voxel_size_nm"] == tuple(truth.voxel_size)
    assert lazy.attrs["roi_offset_nm"] == tuple(truth.roi.begin)
    assert lazy.attrs.get("is_labels") == array.is_labels
    assert {k: lazy.attrs[k] for k in array.attrs} == array.attrs


def test_world_selection_reads_only_what_it_selects() -> None:
    class Spy(NumpyArray):
        def _read(self, roi: Roi) -> np.ndarray:
            self.__dict__.setdefault("reads", []).append(roi)
            return super()._read(roi)

    values = np.arange(2 * 4 * 6 * 8, dtype=np.float32).reshape(2, 4, 6, 8)
    source = Spy(values, Roi((80, 0, 40), (32, 24, 32)), (8, 4, 4), ["c", "z", "y", "x"])
    lazy = source.to_xarray()
    assert "reads" not in source.__dict__
    picked = lazy.sel(z=92.0, y=slice(0, 10), x=42.0).values  # voxel centres in nm
    np.testing.assert_array_equal(picked, values[:, 1, 0:3, 0])
    assert lazy.coords["c"].values.tolist() == [0, 1]
    assert lazy.attrs["is_labels"] is False
