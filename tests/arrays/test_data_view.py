"""``array.data`` as DaCapo's code uses it: numpy in, numpy out, for every stored format."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from dacapo.experiments.datasplits.datasets.arrays import (
    ReadOnlyError,
    RequestTooLargeError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._data_view import numpy_index
from dacapo.experiments.datasplits.datasets.arrays._limits import set_limits
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import fixture_settings

SHAPE = (2, 6, 5, 4)  # c, z, y, x
FORMATS = ["zarr2", "zarr3", "n5"]


def _stored(folder: Path, fmt: str) -> tuple[ZarrArray, np.ndarray]:
    truth = numpy_truth(shape=SHAPE, dtype="uint16", voxel_size=(4, 4, 4), offset=(0, 0, 0))
    config = zarr_source(folder, truth, format=fmt, write_size=Coordinate(8, 8, 8))
    array = config.to_array()
    assert isinstance(array, ZarrArray)
    return array, np.asarray(truth.data)


@pytest.fixture(scope="module", params=FORMATS)
def stored(request, tmp_path_factory) -> tuple[ZarrArray, np.ndarray]:
    return _stored(tmp_path_factory.mktemp(request.param), request.param)


def _item(size: int) -> st.SearchStrategy:
    return st.one_of(
        st.integers(-size, size - 1),
        st.builds(
            slice,
            st.none() | st.integers(-size - 2, size + 2),
            st.none() | st.integers(-size - 2, size + 2),
            st.none() | st.integers(1, 3) | st.integers(-3, -1),
        ),
        hnp.arrays(np.int64, st.integers(1, 3), elements=st.integers(-size, size - 1)),
    )


@st.composite
def keys(draw: st.DrawFn) -> tuple:
    items = [draw(_item(n)) for n in SHAPE]
    fancy = [i for i, item in enumerate(items) if isinstance(item, np.ndarray)]
    for i in fancy[1:]:  # one integer array: several broadcast together, as numpy does
        items[i] = slice(None)
    if draw(st.booleans()):  # `...` stands for axes low:high
        low = draw(st.integers(0, len(SHAPE)))
        high = draw(st.integers(low, len(SHAPE)))
        return (*items[:low], Ellipsis, *items[high:])
    return tuple(items[: draw(st.integers(0, len(SHAPE)))])


@fixture_settings(60)
@given(key=keys())
def test_indexing_is_numpy_indexing(stored, key) -> None:
    array, reference = stored
    got = array.data[key]
    expected = reference[key]
    assert isinstance(got, np.ndarray | np.generic)
    assert type(got) is type(expected)
    np.testing.assert_array_equal(got, expected)


def test_dacapo_call_sites(stored) -> None:
    """``array.data[0].copy()``, ``np.asarray(array.data)``, shape/dtype/ndim/chunks."""
    array, reference = stored
    data = array.data
    assert (data.shape, data.dtype, data.ndim, len(data)) == (SHAPE, np.uint16, 4, 2)
    assert data.chunks == (2, 2, 2, 2)
    first = array.data[0].copy()
    np.testing.assert_array_equal(first, reference[0])
    np.testing.assert_array_equal(np.asarray(array.data), reference)
    assert np.asarray(array.data, dtype=np.float32).dtype == np.float32
    assert isinstance(array.data[1, 2, 3, 0], np.uint16)
    np.testing.assert_array_equal(array.data[reference > 10], reference[reference > 10])
    assert "shape=(2, 6, 5, 4)" in repr(data)


@pytest.mark.parametrize("fmt", FORMATS)
def test_assignment_writes_like_numpy(tmp_path: Path, fmt: str) -> None:
    array, reference = _stored(tmp_path, fmt)
    expected = reference.copy()
    array.data[:] = 7
    expected[:] = 7
    array.data[0, -1, ::2] = np.arange(3 * 4).reshape(3, 4)  # int64 values, cast like numpy
    expected[0, -1, ::2] = np.arange(3 * 4).reshape(3, 4)
    array.data[1, ..., -1] = 2.9
    expected[1, ..., -1] = 2.9
    np.testing.assert_array_equal(array[array.roi], expected)
    again = ZarrArrayConfig(name="x", file_name=array.file_name, dataset=array.dataset)
    np.testing.assert_array_equal(np.asarray(again.to_array().data), expected)


def test_read_only_arrays_refuse_assignment(stored) -> None:
    array, _ = stored
    read_only = ZarrArrayConfig(
        name="ro", file_name=array.file_name, dataset=array.dataset, mode="r"
    ).to_array()
    with pytest.raises(
        ReadOnlyError, match=r"cannot write to ZarrArray 'ro'.data: it is read-only \(opened"
    ):
        read_only.data[0] = 1


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ((0, 0, 0, 0, 0), r"has 4 dimensions; got 5 indices"),
        ((Ellipsis, 0, Ellipsis), r"at most one '\.\.\.'"),
        ((2,), r"index 2 is out of bounds for axis 0 of ZarrArray 'source'.data \(2\)"),
        ((0, [0, 9]), r"index array \[0, 9\] is out of bounds for axis 1"),
        (("a",), r"takes integers, slices, '\.\.\.', None and integer or boolean arrays; got"),
        ((np.ones((2, 2), bool),), r"boolean index of shape \(2, 2\) does not match"),
    ],
)
def test_bad_indices_say_why(stored, key, message) -> None:
    array, _ = stored
    with pytest.raises(IndexError, match=message):
        array.data[key]


def test_numpy_index_spells_negative_steps_for_tensorstore() -> None:
    assert numpy_index((slice(None, None, -2), None), (5,)) == (slice(4, -1, -2), None)
    assert numpy_index(slice(3, 1), (5,)) == (slice(0, 0, 1),)


def test_views_survive_a_fresh_process_copy() -> None:
    """The view reads through the array's per-process handle, never a stale one."""
    with tempfile.TemporaryDirectory() as folder:
        array, reference = _stored(Path(folder), "zarr2")
        view = array.data
        array.__dict__.pop("_handle", None)
        np.testing.assert_array_equal(view[1], reference[1])


def test_view_reads_obey_the_read_limit(stored) -> None:
    """``np.asarray(array.data)`` is checked before anything is allocated, like array[roi]."""
    array, reference = stored
    set_limits(read_bytes=reference[0].nbytes)
    try:
        np.testing.assert_array_equal(array.data[1], reference[1])
        with pytest.raises(
            RequestTooLargeError,
            match=r"reading ROI \[0:24, 0:20, 0:16\] \(nm\) of ZarrArray 'source' needs 480 B "
            r"\(2 x 6 x 5 x 4 voxels of uint16\), more than the limit of 240 B",
        ):
            np.asarray(array.data)
    finally:
        set_limits()
