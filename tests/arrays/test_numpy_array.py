from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    GeometryError,
    NumpyArray,
    ReadOnlyError,
    ROIError,
    ZarrArrayConfig,
)
from dacapo_arrays.testing.strategies import DTYPES, aligned_rois, random_volume, voxel_sizes


def test_defaults_from_a_bare_ndarray() -> None:
    array = NumpyArray(np.zeros((10, 10, 10)))
    assert array.axes == ["z", "y", "x"]
    assert array.voxel_size == Coordinate(1, 1, 1)
    assert array.roi == Roi((0, 0, 0), (10, 10, 10))
    assert array.num_channels is None
    assert array.dims == 3
    assert array.writable
    assert array.attrs == {}
    channels = NumpyArray(np.zeros((2, 3, 4, 5)))
    assert channels.axes == ["c", "z", "y", "x"]
    assert channels.num_channels == 2
    assert channels.shape == (2, 3, 4, 5)


def test_built_from_a_config_raises() -> None:
    with pytest.raises(RuntimeError, match="cannot be built from a config"):
        NumpyArray(ZarrArrayConfig(name="x", file_name="x.zarr", dataset="d"))


@given(data=st.data())
def test_reads_match_numpy_slicing(data: st.DataObject) -> None:
    dtype = data.draw(st.sampled_from(DTYPES))
    voxel = data.draw(voxel_sizes(3, max_size=8))
    shape = tuple(data.draw(st.lists(st.integers(1, 6), min_size=3, max_size=3)))
    channels = data.draw(st.sampled_from([None, 1, 3]))
    full_shape = shape if channels is None else (channels, *shape)
    values = random_volume(full_shape, dtype)
    offset = Coordinate(data.draw(st.lists(st.integers(-3, 3), min_size=3, max_size=3))) * voxel
    axes = ["z", "y", "x"] if channels is None else ["c", "z", "y", "x"]
    array = NumpyArray.from_np_array(values, Roi(offset, Coordinate(shape) * voxel), voxel, axes)
    roi = data.draw(aligned_rois(array.roi, voxel))
    begin = (roi.begin - offset) / voxel
    end = begin + roi.shape / voxel
    index = tuple(slice(b, e) for b, e in zip(begin, end, strict=True))
    expected = values[index] if channels is None else values[(slice(None), *index)]
    np.testing.assert_array_equal(array[roi], expected)
    assert array[roi].dtype == values.dtype


def test_writes_by_roi_and_scalar_broadcast() -> None:
    array = NumpyArray.from_np_array(
        np.zeros((4, 4), np.uint8), Roi((0, 0), (8, 8)), (2, 2), ["y", "x"]
    )
    array[Roi((2, 2), (4, 4))] = np.array([[1, 2], [3, 4]], np.uint8)
    array[Roi((0, 0), (2, 8))] = 7
    expected = np.zeros((4, 4), np.uint8)
    expected[1:3, 1:3] = [[1, 2], [3, 4]]
    expected[0] = 7
    np.testing.assert_array_equal(array.data, expected)


def test_write_errors_show_the_shapes_and_the_fix() -> None:
    array = NumpyArray.from_np_array(
        np.zeros((4, 4), np.uint8), Roi((0, 0), (8, 8)), (2, 2), ["y", "x"]
    )
    with pytest.raises(
        ValueError, match=r"shape \(3, 3\) into ROI \[0:4, 0:4\] \(nm\).*holds \(2, 2\)"
    ):
        array[Roi((0, 0), (4, 4))] = np.zeros((3, 3), np.uint8)
    with pytest.raises(
        TypeError, match=r"cannot write float64 values into .* values\.astype\('uint8'\)"
    ):
        array[Roi((0, 0), (4, 4))] = np.zeros((2, 2))
    with pytest.raises(ROIError, match="is not aligned"):
        array[Roi((1, 0), (4, 4))] = 0


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"axes": ["z", "y"]}, r"has 3 dimensions but axes \['z', 'y'\] name 2"),
        ({"axes": ["z", "c", "x"]}, "channels must come first"),
        ({"axes": ["z", "z", "x"]}, "repeat a name"),
        ({"voxel_size": (1, 1)}, r"voxel_size \(1, 1\) has 2 entries but the data has 3"),
        ({"voxel_size": (1, 1.5, 1)}, "would be truncated"),
        ({"voxel_size": (0, 1, 1)}, "must be positive"),
        ({"roi": Roi((0, 0, 0), (2, 2, 2))}, r"does not fit data of spatial shape \(2, 3, 4\)"),
        ({"roi": Roi((1, 0, 0), (4, 3, 4)), "voxel_size": (2, 1, 1)}, "a multiple of the voxel"),
    ],
)
def test_bad_geometry_is_refused(kwargs, message) -> None:
    with pytest.raises(GeometryError, match=message):
        NumpyArray(np.zeros((2, 3, 4)), **kwargs)


def test_pickles_with_its_data() -> None:
    array = NumpyArray(np.arange(8).reshape(2, 2, 2), name="x")
    again = pickle.loads(pickle.dumps(array))
    np.testing.assert_array_equal(again.data, array.data)
    assert again.name == "x"


def test_data_is_the_wrapped_ndarray() -> None:
    values = np.zeros((2, 2, 2))
    array = NumpyArray(values)
    array.data[0] = 1
    assert values[0].sum() == 4


def test_from_gp_array() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # gunpowder's own imports warn
        import gunpowder as gp

    spec = gp.ArraySpec(roi=Roi((0, 0, 0), (8, 8, 8)), voxel_size=Coordinate(2, 2, 2))
    plain = NumpyArray.from_gp_array(gp.Array(np.ones((4, 4, 4), np.float32), spec))
    assert plain.axes == ["z", "y", "x"]
    assert plain.voxel_size == (2, 2, 2)
    channels = NumpyArray.from_gp_array(gp.Array(np.ones((3, 4, 4, 4), np.float32), spec.copy()))
    assert channels.axes == ["c", "z", "y", "x"]
    assert channels.num_channels == 3
    np.testing.assert_array_equal(channels[channels.roi], np.ones((3, 4, 4, 4)))
    with pytest.raises(GeometryError, match="only one leading channel dimension"):
        NumpyArray.from_gp_array(gp.Array(np.ones((2, 3, 4, 4, 4), np.float32), spec.copy()))


def test_indexing_with_anything_but_a_roi_is_refused() -> None:
    array = NumpyArray(np.zeros((2, 2, 2)))
    with pytest.raises(ROIError, match=r"indexed by a funlib.geometry.Roi .* array.data\[...\]"):
        array[0]  # type: ignore[index]


def test_read_only_message() -> None:
    from dacapo.experiments.datasplits.datasets.arrays._virtual_array import VirtualArray

    class Negated(VirtualArray):
        def _read(self, roi: Roi) -> np.ndarray:
            return -self.source_array[roi]

    array = Negated(NumpyArray(np.ones((2, 2, 2))))
    np.testing.assert_array_equal(array[array.roi], -np.ones((2, 2, 2)))
    with pytest.raises(ReadOnlyError, match=r"read-only .*computed on demand"):
        array[array.roi] = 0
