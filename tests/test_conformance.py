"""One suite every array kind passes, run on every case of ``dacapo_arrays.testing.cases``."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets import arrays
from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ReadOnlyError,
    ROIError,
    VirtualArrayError,
)
from dacapo_arrays.testing import Case, all_cases
from dacapo_arrays.testing.strategies import aligned_rois, fixture_settings, misaligned_rois

CASES = all_cases()
FIXTURE_SETTINGS = fixture_settings(20)


@pytest.fixture(params=CASES, ids=[c.id for c in CASES])
def case(request: pytest.FixtureRequest, tmp_path: Path):
    spec: Case = request.param
    config, truth = spec.make(tmp_path)
    return spec, config, config.create_array(), truth


def test_metadata_matches_truth(case) -> None:
    _, config, array, truth = case
    assert array.name == config.name
    assert array.axes == truth.axes
    assert array.voxel_size == truth.voxel_size
    assert array.roi == truth.roi
    assert array.dtype == truth.dtype
    assert array.num_channels == truth.num_channels
    assert array.dims == truth.dims == array.voxel_size.dims == array.roi.dims
    assert ("c" in array.axes) == (array.num_channels is not None)
    assert array.shape == truth.shape
    assert isinstance(array.attrs, dict)


def test_whole_read_equals_truth(case) -> None:
    _, _, array, truth = case
    got = array[array.roi]
    assert got.dtype == truth.dtype
    np.testing.assert_array_equal(got, truth[truth.roi])


@FIXTURE_SETTINGS
@given(data=st.data())
def test_random_reads_equal_truth(case, data: st.DataObject) -> None:
    _, _, array, truth = case
    roi = data.draw(aligned_rois(array.roi, array.voxel_size))
    np.testing.assert_array_equal(array[roi], truth[roi])


@FIXTURE_SETTINGS
@given(data=st.data())
def test_reads_in_flight_equal_truth(case, data: st.DataObject) -> None:
    _, _, array, truth = case
    rois = data.draw(st.lists(aligned_rois(array.roi, array.voxel_size), min_size=1, max_size=4))
    futures = [array.read_async(roi) for roi in rois]
    for roi, future, many in zip(rois, futures, array.read_many(rois, in_flight=2), strict=True):
        got = future.result()
        assert got.dtype == truth.dtype
        np.testing.assert_array_equal(got, truth[roi])
        np.testing.assert_array_equal(many, truth[roi])


@FIXTURE_SETTINGS
@given(data=st.data())
def test_misaligned_read_is_refused(case, data: st.DataObject) -> None:
    _, _, array, _ = case
    if all(v == 1 for v in array.voxel_size):
        pytest.skip("voxel size 1 everywhere: no world ROI can be misaligned")
    roi = data.draw(misaligned_rois(array.roi, array.voxel_size))
    assert not (
        roi.begin.is_multiple_of(array.voxel_size) and roi.shape.is_multiple_of(array.voxel_size)
    )
    with pytest.raises(ROIError, match=r"is not aligned with voxel size .* snap it with"):
        array[roi]


def test_read_outside_is_refused(case) -> None:
    _, _, array, _ = case
    outside = array.roi.shift(array.roi.shape)
    with pytest.raises(ROIError, match=r"is not inside array .*; intersect it"):
        array[outside]


def test_pickle_round_trip(case) -> None:
    _, _, array, truth = case
    again = pickle.loads(pickle.dumps(array))
    assert again.roi == array.roi
    np.testing.assert_array_equal(again[again.roi], truth[truth.roi])


def test_verify_accepts_the_config(case) -> None:
    spec, config, _, _ = case
    ok, message = config.verify()
    if spec.id == "dummy":  # DummyArrayConfig is documented as never valid
        assert (ok, message) == (False, "This is a DummyArrayConfig and is never valid")
    else:
        assert (ok, message) == (True, "No validation for this Array")


@pytest.mark.parametrize("suffix", [".yaml", ".toml", ".json"])
def test_config_round_trips_through_files(case, tmp_path: Path, suffix: str) -> None:
    _, config, _, _ = case
    path = tmp_path / f"config{suffix}"
    config.to_file(path)
    assert ArrayConfig.from_file(path) == config
    assert ArrayConfig.from_dict(config.to_dict()) == config


def test_is_labels_is_an_answer_that_survives_pickling(case) -> None:
    """Every kind answers ``is_labels`` with True, False or None (never raises)."""
    _, _, array, _ = case
    assert array.is_labels in (True, False, None)
    assert pickle.loads(pickle.dumps(array)).is_labels is array.is_labels


def test_repr_names_the_kind(case) -> None:
    """Not the default ``<... object at 0x...>``: the kind and which array it is."""
    _, config, array, _ = case
    shown = repr(array)
    assert shown.startswith(f"{type(array).__name__}(")
    assert " object at 0x" not in shown
    # which one: its name, or where it is stored (a zarr dataset, a DVID instance)
    where = [getattr(array, "dataset", None), getattr(array, "source", None)]
    shown_where = [str(w) for w in where if isinstance(w, str | tuple)]
    assert repr(config.name) in shown or any(w in shown for w in shown_where)


def _check_stored_data(array) -> None:
    """``array.data`` as DaCapo's code uses it: numpy out, over the whole stored data."""
    data = array.data
    whole = np.asarray(data)
    assert (whole.shape, whole.dtype) == (tuple(data.shape), array.dtype)
    assert data.ndim == len(array.axes)
    np.testing.assert_array_equal(whole[array._slices(array.roi)], array[array.roi])
    first = data[0].copy()
    assert isinstance(first, np.ndarray)
    np.testing.assert_array_equal(first, whole[0])


def test_virtual_or_writable(case) -> None:
    """Virtual arrays have no ``data``; stored ones a numpy-like view of it."""
    spec, _, array, truth = case
    if spec.virtual:
        assert not array.writable
        with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
            array.data  # noqa: B018
    else:
        _check_stored_data(array)
    if spec.writable:
        assert array.writable
        values = np.ones(truth.shape, dtype=truth.dtype)
        array[array.roi] = values
        np.testing.assert_array_equal(array[array.roi], values)
    else:
        assert not array.writable
        with pytest.raises(ReadOnlyError, match="read-only"):
            array[array.roi] = truth[truth.roi]


def test_every_registered_kind_has_a_case(tmp_path: Path) -> None:
    """Guard: a kind added to the registry without conformance cases fails here."""
    registered = {
        obj
        for name in arrays.__all__
        if isinstance(obj := getattr(arrays, name), type)
        and issubclass(obj, ArrayConfig)
        and obj is not ArrayConfig
    }
    covered = set()
    for spec in CASES:
        (folder := tmp_path / spec.id).mkdir()
        covered.add(type(spec.make(folder)[0]))
    missing = sorted(c.__name__ for c in registered - covered)
    assert not missing, (
        f"no conformance case for {missing}; add one in dacapo_arrays/testing/cases"
    )


def test_changing_a_read_changes_nothing(case) -> None:
    _, _, array, truth = case
    first = array[array.roi]
    first[...] = ~first if first.dtype == bool else first + 1
    np.testing.assert_array_equal(array[Roi(array.roi.begin, array.roi.shape)], truth[truth.roi])
