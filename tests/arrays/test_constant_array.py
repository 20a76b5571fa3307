from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ConfigError,
    ConstantArray,
    ConstantArrayConfig,
    NumpyArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.constant_array import constant_dtype
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import DTYPES, aligned_rois, fixture_settings
from dacapo_arrays.testing.virtual import (
    check_ones_spec_example,
    numpy_sources,
    recorded_reads,
    stored,
)

UNUSED = ZarrArrayConfig(name="gt", file_name="never-opened.zarr", dataset="gt")


def test_the_spec_examples() -> None:
    """The runnable examples of spec/arrays-api.rst for ConstantArray (see test_ones_array)."""
    ones_array = check_ones_spec_example(ConstantArray, np.dtype(np.uint8))
    assert ones_array.constant == 1


@pytest.mark.parametrize(
    ("constant", "dtype"),
    [
        (0, "uint8"),
        (1, "uint8"),
        (255, "uint8"),
        (256, "uint16"),
        (2**32, "uint64"),
        (2**64 - 1, "uint64"),
        (-1, "int8"),
        (-129, "int16"),
        (-(2**63), "int64"),
        (np.int32(7), "uint8"),
        (0.5, "float32"),
        (1.0, "float32"),
        (-3.25, "float32"),
        (0.1, "float64"),
        (1e300, "float64"),
        (math.inf, "float32"),
        (math.nan, "float32"),
    ],
)
def test_constant_dtype_is_the_smallest_exact_one(constant: float, dtype: str) -> None:
    assert constant_dtype(constant) == np.dtype(dtype)


@pytest.mark.parametrize(
    ("constant", "error", "message"),
    [
        (
            2**64,
            ValueError,
            r"constant 18446744073709551616 does not fit any integer dtype "
            r"\(int64 or uint64\); use a float, e.g. 1.8446744073709552e\+19",
        ),
        (-(2**63) - 1, ValueError, "does not fit any integer dtype"),
        (True, TypeError, "constant must be a number, got True"),
        ("1", TypeError, "constant must be a number, got '1'"),
    ],
)
def test_constant_dtype_errors(constant: object, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        constant_dtype(constant)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    source=numpy_sources(
        st.sampled_from(DTYPES), channels=st.one_of(st.none(), st.integers(1, 3))
    ),
    constant=st.one_of(
        st.integers(-(2**63), 2**64 - 1), st.floats(allow_nan=False, allow_infinity=False)
    ),
    data=st.data(),
)
def test_reads_hold_exactly_the_constant(
    source: NumpyArray, constant: float, data: st.DataObject
) -> None:
    array = ConstantArray.like(source, constant=constant)
    assert (array.axes, array.num_channels) == (source.axes, source.num_channels)
    roi = data.draw(aligned_rois(source.roi, source.voxel_size))
    got = array[roi]
    assert got.dtype == constant_dtype(constant)
    assert got.shape == source[roi].shape
    assert all(v == constant for v in np.unique(got).tolist())


def test_the_source_is_never_read(tmp_path: Path) -> None:
    source = stored(tmp_path, numpy_truth(), name="gt")
    config = ConstantArrayConfig(name="negative", source_array_config=source, constant=0)
    with recorded_reads() as requests:
        array = config.create_array()
        array[array.roi]
        ConstantArray.like(array.source_array, 5)[array.roi]
    assert requests == []


def test_properties_from_a_config(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(2, 3, 4, 5), voxel_size=(2, 2, 2), offset=(0, 0, 0))
    source = zarr_source(tmp_path, truth, name="gt")
    array = ConstantArrayConfig(name="c", source_array_config=source, constant=-2.5).create_array()
    assert isinstance(array, ConstantArray)
    assert array.name == "c"
    assert array.constant == -2.5
    assert array.dtype == np.float32
    assert array.source_array.attrs
    assert array.attrs == {}
    assert array.axes == ["c", "z", "y", "x"]
    assert array.num_channels == 2
    np.testing.assert_array_equal(array[array.roi], np.full(truth.shape, -2.5, np.float32))


def test_constant_comes_from_the_config_only() -> None:
    config = ConstantArrayConfig(name="c", source_array_config=UNUSED, constant=3)
    with pytest.raises(
        TypeError, match="ConstantArray 'c' takes its constant from its config; change"
    ):
        ConstantArray(config, constant=4)


@pytest.mark.parametrize("value", [True, "1", None, [1]])
def test_config_constant_must_be_a_number(value: object) -> None:
    with pytest.raises(TypeError, match=r"'constant' must be a number \(e.g. 1 or 0.5\); got"):
        ConstantArrayConfig(name="c", source_array_config=UNUSED, constant=value)  # type: ignore[arg-type]


def test_unrepresentable_constant_fails_verify_and_construction() -> None:
    config = ConstantArrayConfig(name="c", source_array_config=UNUSED, constant=2**64)
    assert config.verify() == (
        False,
        "$ (ConstantArrayConfig 'c'): constant 18446744073709551616 does not fit any integer "
        "dtype (int64 or uint64); use a float, e.g. 1.8446744073709552e+19\n"
        "$.source_array_config (ZarrArrayConfig 'gt'): container 'never-opened.zarr' does not "
        "exist; check ZarrArrayConfig.file_name of ZarrArray 'gt'",
    )
    with pytest.raises(ConfigError, match=r"cannot build ConstantArray 'c': constant 1844"):
        config.create_array()  # refused before the (missing) source is opened


@fixture_settings(10)
@given(
    constant=st.sampled_from([0, 1, -7, 2**40, 0.5, 1.0, 0.1]),
    suffix=st.sampled_from([".yaml", ".toml", ".json"]),
)
def test_config_round_trips_keep_int_and_float(
    tmp_path: Path, constant: float, suffix: str
) -> None:
    config = ConstantArrayConfig(name="c", source_array_config=UNUSED, constant=constant)
    path = tmp_path / f"c{suffix}"
    config.to_file(path)
    again = ArrayConfig.from_file(path)
    assert again == config
    assert type(again.constant) is type(constant)  # type: ignore[attr-defined]
