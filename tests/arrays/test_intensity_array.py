from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ConfigError,
    IntensitiesArray,
    IntensitiesArrayConfig,
    VirtualArrayError,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.intensity_array import normalize
from dacapo_arrays.testing.cases.intensities import intensities_reference
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import DTYPES, aligned_rois, fixture_settings
from dacapo_arrays.testing.virtual import numpy_sources, recorded_reads, stored

UNUSED = ZarrArrayConfig(name="raw", file_name="never-opened.zarr", dataset="raw")
FIXTURES = fixture_settings(40)
finite = st.floats(-1e4, 1e4, allow_nan=False)


def config_of(source: ArrayConfig, low: float, high: float) -> IntensitiesArrayConfig:
    return IntensitiesArrayConfig(name="raw01", source_array_config=source, min=low, max=high)


@settings(max_examples=100, deadline=None)
@given(
    dtype=st.sampled_from([*DTYPES, "int8", "bool"]),
    low=finite,
    width=st.floats(1e-3, 1e4),
    seed=st.integers(0, 2**16),
)
def test_normalize_is_the_original_formula_in_float32(
    dtype: str, low: float, width: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    values = (rng.random((3, 4, 5)) * 300 - 20).astype(dtype)
    got = normalize(values, low, low + width)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, intensities_reference(values, low, low + width))


@pytest.mark.parametrize("dtype", ["uint8", "int8", "uint16", "int16", "bool"])
@pytest.mark.parametrize(
    ("low", "high"), [(0, 255), (0.0, 1.0), (-0.0, 7.0), (0, 65535), (3, 100), (-1.5, 2.25)]
)
def test_normalize_is_bit_identical_on_every_small_integer(
    dtype: str, low: float, high: float
) -> None:
    # The min == 0 path skips the subtraction: every value must keep its exact bits.
    info = np.iinfo(dtype) if dtype != "bool" else np.iinfo(np.uint8)
    values = np.arange(info.min, info.max + 1).astype(dtype)
    expected = (values.astype(np.float32) - np.float32(low)) / np.float32(high - low)
    got = normalize(values, low, high)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got.view(np.uint32), expected.view(np.uint32))


def test_values_outside_min_max_are_not_clipped() -> None:
    values = np.array([0, 10, 20, 30, 255], np.uint8)
    got = normalize(values, 10, 30)
    np.testing.assert_array_equal(got, np.array([-0.5, 0, 0.5, 1, 12.25], np.float32))
    assert got.min() < 0
    assert got.max() > 1


@FIXTURES
@given(data=st.data())
def test_reads_equal_reference(tmp_path: Path, data: st.DataObject) -> None:
    source = data.draw(
        numpy_sources(st.sampled_from(DTYPES), channels=st.one_of(st.none(), st.integers(2, 3)))
    )
    low = data.draw(st.floats(-5, 10))
    high = low + data.draw(st.floats(0.5, 30))
    array = config_of(stored(tmp_path, source), low, high).create_array()
    roi = data.draw(aligned_rois(source.roi, source.voxel_size))
    got = array[roi]
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, intensities_reference(source[roi], low, high))


def test_properties(tmp_path: Path) -> None:
    raw = numpy_truth(shape=(2, 4, 5, 6), dtype="uint16", voxel_size=(4, 4, 4), offset=(8, 8, 8))
    array = config_of(zarr_source(tmp_path, raw, name="raw"), 0, 255).create_array()
    assert isinstance(array, IntensitiesArray)
    assert array.name == "raw01"
    assert (array.min, array.max) == (0.0, 255.0)
    assert array.dtype == np.float32
    assert array.axes == ["c", "z", "y", "x"]
    assert array.num_channels == 2
    assert array.dims == 3
    assert array.roi == raw.roi
    assert array.voxel_size == raw.voxel_size
    assert array.shape == raw.shape
    assert array.attrs == array.source_array.attrs
    assert not array.writable
    with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
        array.data  # noqa: B018


def test_reads_only_the_requested_roi(tmp_path: Path) -> None:
    array = config_of(stored(tmp_path, numpy_truth(), name="raw"), 0, 255).create_array()
    roi = Roi((24, 0, 8), (16, 12, 20))
    with recorded_reads() as requests:
        array[roi]
    assert requests == [("raw", roi)]


@pytest.mark.parametrize(
    ("low", "high", "problem"),
    [
        (
            5,
            5,
            r"max \(5.0\) must be greater than min \(5.0\): values are mapped to "
            r"\(x - min\) / \(max - min\)",
        ),
        (255, 0, r"max \(0.0\) must be greater than min \(255.0\)"),
        (float("nan"), 1, r"min is nan; it must be a finite number"),
        (0, float("inf"), r"max is inf; it must be a finite number"),
    ],
)
def test_bad_ranges_fail_verify_and_construction(low: float, high: float, problem: str) -> None:
    config = config_of(UNUSED, low, high)
    ok, message = config.verify()
    assert not ok
    assert message.startswith("$ (IntensitiesArrayConfig 'raw01'): ")
    with pytest.raises(ValueError, match=problem):
        raise ValueError(message)
    with pytest.raises(ConfigError, match=rf"cannot build IntensitiesArray 'raw01': {problem}"):
        config.create_array()  # refused before the (missing) source is opened


@pytest.mark.parametrize("value", [True, "0", None])
def test_min_and_max_must_be_numbers(value: object) -> None:
    with pytest.raises(TypeError, match=rf"min and max must be numbers; got {value!r}"):
        config_of(UNUSED, value, 1)  # type: ignore[arg-type]


def test_integers_become_floats_and_round_trip() -> None:
    config = config_of(UNUSED, 0, 255)
    assert (config.min, config.max) == (0.0, 255.0)
    assert isinstance(config.min, float)
    assert ArrayConfig.from_dict(config.to_dict()) == config


NESTED_TOML = """\
__type__ = "IntensitiesArrayConfig"
name = "raw01"
min = 2
max = 12.5

[source_array_config]
__type__ = "ZarrArrayConfig"
name = "raw"
file_name = "{container}"
dataset = "raw"
"""


def test_intensities_of_a_zarr_from_one_file(tmp_path: Path) -> None:
    raw = numpy_truth(seed=9)
    source = zarr_source(tmp_path, raw, name="raw")
    path = tmp_path / "raw01.toml"
    path.write_text(NESTED_TOML.format(container=source.file_name))
    config = ArrayConfig.from_file(path)
    assert config.verify() == (True, "No validation for this Array")
    array = config.create_array()
    np.testing.assert_array_equal(array[raw.roi], intensities_reference(raw.data, 2, 12.5))
