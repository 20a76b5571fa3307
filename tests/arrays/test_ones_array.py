from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    NumpyArray,
    OnesArray,
    OnesArrayConfig,
    ReadOnlyError,
)
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import DTYPES, aligned_rois, fixture_settings
from dacapo_arrays.testing.virtual import (
    check_ones_spec_example,
    numpy_sources,
    recorded_reads,
    stored,
)


def test_the_spec_examples() -> None:
    """The runnable examples of spec/arrays-api.rst for OnesArray, as they should print.

    The spec's printed outputs contradict each other (``axes`` 'zyx', ``dims`` (10, 10, 10),
    ``num_channels`` 1, ``data`` an array of ones); docs/decisions.md says what holds.
    """
    check_ones_spec_example(OnesArray, np.dtype(bool))


@settings(max_examples=30, deadline=None)
@given(
    source=numpy_sources(
        st.sampled_from(DTYPES), channels=st.one_of(st.none(), st.integers(1, 3))
    ),
    data=st.data(),
)
def test_reads_are_ones_of_the_request_shape(source: NumpyArray, data: st.DataObject) -> None:
    array = OnesArray.like(source)
    assert array.axes == source.axes
    assert array.num_channels == source.num_channels
    assert (array.roi, array.voxel_size) == (source.roi, source.voxel_size)
    roi = data.draw(aligned_rois(source.roi, source.voxel_size))
    got = array[roi]
    assert got.dtype == np.bool_
    np.testing.assert_array_equal(got, np.ones(source[roi].shape, bool))


def test_the_source_is_never_read(tmp_path: Path) -> None:
    config = OnesArrayConfig(
        name="mask", source_array_config=stored(tmp_path, numpy_truth(), name="gt")
    )
    with recorded_reads() as requests:
        array = config.create_array()
        array[array.roi]
        OnesArray.like(array.source_array)[array.roi]
    assert requests == []


def test_properties_from_a_config(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(2, 3, 4, 5), voxel_size=(2, 2, 2), offset=(0, 0, 0))
    source = zarr_source(tmp_path, truth, name="gt")
    array = OnesArrayConfig(name="mask", source_array_config=source).create_array()
    assert isinstance(array, OnesArray)
    assert array.name == "mask"
    assert array.source_array.name == "gt"
    assert array.source_array.attrs  # the zarr source has attrs; the ones do not
    assert array.attrs == {}
    assert array.axes == ["c", "z", "y", "x"]
    assert array.num_channels == 2
    assert array.shape == truth.shape
    with pytest.raises(ReadOnlyError, match="read-only"):
        array[array.roi] = True


def test_deprecation_is_logged_not_warned(caplog: pytest.LogCaptureFixture) -> None:
    # pytest runs with filterwarnings=error: a warnings.warn here would fail the test.
    with caplog.at_level(logging.WARNING):
        OnesArray.like(NumpyArray(np.zeros((2, 2, 2))))
    assert caplog.record_tuples == [
        (
            "dacapo.experiments.datasplits.datasets.arrays.ones_array",
            logging.WARNING,
            "OnesArray is deprecated; use ConstantArray (constant=1) instead",
        )
    ]


@fixture_settings(5)
@given(suffix=st.sampled_from([".yaml", ".toml", ".json"]))
def test_config_round_trips(tmp_path: Path, suffix: str) -> None:
    source = stored(tmp_path, numpy_truth())
    config = OnesArrayConfig(name="mask", source_array_config=source)
    config.to_file(tmp_path / f"mask{suffix}")
    assert ArrayConfig.from_file(tmp_path / f"mask{suffix}") == config
    assert config.verify() == (True, "No validation for this Array")
