from __future__ import annotations

import functools
import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ConfigError,
    GeometryError,
    NumpyArray,
    SumArray,
    SumArrayConfig,
    ValueRangeError,
    VirtualArrayError,
    ZarrArray,
)
from dacapo.experiments.datasplits.datasets.arrays.sum_array import add_checked, sum_dtype
from dacapo_arrays.testing.checks import assert_refused
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import aligned_rois, random_volume, voxel_sizes
from dacapo_arrays.testing.virtual import recorded_reads_of

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# bool is left out: the foundation's zarr writer cannot store bool yet (fill_value 0).
DTYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int32", "int64", "float32")


def _truth(values: np.ndarray, voxel: Coordinate, offset: Coordinate) -> NumpyArray:
    axes = ["c", "z", "y", "x"][-values.ndim :]
    spatial = Coordinate(values.shape[-3:])
    return NumpyArray.from_np_array(values, Roi(offset, spatial * voxel), voxel, axes)


def _sum_config(folder: Path, truths: list[NumpyArray], name: str = "sum") -> SumArrayConfig:
    sources = [zarr_source(folder, t, name=f"s{i}") for i, t in enumerate(truths)]
    return SumArrayConfig(name=name, source_array_configs=sources)


def _reference(blocks: list[np.ndarray]) -> np.ndarray:
    """The exact sum, through Python integers (or float64 for floats)."""
    if any(b.dtype.kind == "f" for b in blocks):
        dtype = np.result_type(*[b.dtype for b in blocks])
        return functools.reduce(np.add, [b.astype(dtype) for b in blocks])
    exact = functools.reduce(np.add, [b.astype(object) for b in blocks])
    return exact  # compared by value


@SLOW
@given(data=st.data())
def test_reads_equal_the_numpy_sum(data: st.DataObject) -> None:
    dtypes = data.draw(st.lists(st.sampled_from(DTYPES), min_size=1, max_size=3))
    voxel = data.draw(voxel_sizes(3, max_size=6))
    shape = tuple(data.draw(st.lists(st.integers(1, 5), min_size=3, max_size=3)))
    channels = data.draw(st.sampled_from([None, 2]))
    full = shape if channels is None else (channels, *shape)
    offset = Coordinate(data.draw(st.lists(st.integers(-3, 3), min_size=3, max_size=3))) * voxel
    truths = [_truth(random_volume(full, d, seed=i), voxel, offset) for i, d in enumerate(dtypes)]
    with tempfile.TemporaryDirectory() as folder:
        array = _sum_config(Path(folder), truths).create_array()
        roi = data.draw(aligned_rois(array.roi, voxel))
        got = array[roi]
        expected = _reference([t[roi] for t in truths])
    assert got.dtype == sum_dtype([np.dtype(d) for d in dtypes]) == array.dtype
    assert got.shape == expected.shape
    assert (got == expected).all()
    assert array.axes == truths[0].axes
    assert array.num_channels == channels
    assert array.voxel_size == voxel
    assert array.roi == truths[0].roi


@pytest.mark.parametrize(
    ("dtypes", "expected"),
    [
        (["uint8", "uint8"], "uint64"),
        (["bool", "bool"], "uint64"),
        (["uint64"], "uint64"),
        (["uint8", "int8"], "int64"),
        (["uint64", "int8"], "int64"),
        (["int32"], "int64"),
        (["float32", "uint8"], "float32"),
        (["float32", "int32"], "float64"),
        (["float32", "float64"], "float64"),
    ],
)
def test_dtype_follows_the_documented_rule(dtypes: list[str], expected: str) -> None:
    assert sum_dtype([np.dtype(d) for d in dtypes]) == np.dtype(expected)


def _stored_sum(tmp_path: Path, *blocks: np.ndarray) -> SumArray:
    truths = [_truth(b, Coordinate(1, 1, 1), Coordinate(0, 0, 0)) for b in blocks]
    return _sum_config(tmp_path, truths).create_array()  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("dtype", "values", "expected"),
    [
        ("uint8", [255, 255], 510),
        ("uint8", [255, 255, 255], 765),
        ("uint32", [2**32 - 1] * 3, 3 * (2**32 - 1)),
        ("int8", [-128, -128], -256),
        ("int32", [2**31 - 1, 2**31 - 1], 2**32 - 2),
        ("uint64", [2**64 - 2, 1], 2**64 - 1),
        ("int64", [2**63 - 2, 1], 2**63 - 1),
        ("int64", [-(2**63) + 1, -1], -(2**63)),
    ],
)
def test_values_near_the_maximum_do_not_wrap(
    tmp_path: Path, dtype: str, values: list[int], expected: int
) -> None:
    blocks = [np.full((1, 2, 2), v, dtype) for v in values]
    got = _stored_sum(tmp_path, *blocks)[Roi((0, 0, 0), (1, 2, 2))]
    assert got.dtype.kind in "iu"
    assert got.dtype.itemsize == 8
    assert [int(v) for v in got.ravel()] == [expected] * 4


@pytest.mark.parametrize(
    ("first", "second", "dtype"),
    [
        (np.uint64(2**64 - 1), np.uint64(1), "uint64"),
        (np.int64(2**63 - 1), np.int64(1), "int64"),
        (np.int64(-(2**63)), np.int64(-1), "int64"),
        (np.uint64(2**63), np.int8(0), "int64"),  # does not fit int64 on its own
    ],
)
def test_a_64_bit_sum_that_does_not_fit_raises(
    tmp_path: Path, first: np.generic, second: np.generic, dtype: str
) -> None:
    a = np.zeros((2, 2, 2), first.dtype)
    a[1, 0, 1] = first
    b = np.full((2, 2, 2), second, second.dtype)
    array = _stored_sum(tmp_path, a, b)
    with pytest.raises(
        ValueRangeError,
        match=(
            rf"SumArray 'sum': the sum does not fit its dtype {dtype} at 1 voxel\(s\) of ROI "
            r"\[0:2, 0:2, 0:2\] \(nm\) \(first at world position \(1, 0, 1\)\); sum fewer"
        ),
    ):
        array[array.roi]
    array[Roi((0, 0, 0), (1, 2, 2))]  # the rest still reads


@settings(max_examples=200, deadline=None)
@given(
    data=st.data(),
    dtype=st.sampled_from(["uint64", "int64"]),
    other=st.sampled_from(["uint64", "int64", "uint8", "int8"]),
)
def test_add_checked_flags_exactly_the_sums_that_do_not_fit(
    data: st.DataObject, dtype: str, other: str
) -> None:
    assume(not (dtype == "uint64" and np.dtype(other).kind == "i"))  # never combined
    info, other_info = np.iinfo(dtype), np.iinfo(other)
    total_values = data.draw(st.lists(st.integers(info.min, info.max), min_size=1, max_size=8))
    other_values = data.draw(
        st.lists(
            st.integers(other_info.min, other_info.max),
            min_size=len(total_values),
            max_size=len(total_values),
        )
    )
    total = np.array(total_values, dtype)
    flagged = add_checked(total, np.array(other_values, other))
    exact = [a + b for a, b in zip(total_values, other_values, strict=True)]
    assert flagged.tolist() == [not info.min <= s <= info.max for s in exact]
    for fits, got, want in zip(flagged, total.tolist(), exact, strict=True):
        if not fits:
            assert got == want


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"voxel_size": (4, 4, 4)},
            r"differ in voxel_size: .* has \(8, 4, 4\), .* has \(4, 4, 4\)",
        ),
        ({"offset": (24, -8, 4)}, r"differ in roi: .* has \[16:64, -8:32, 4:52\] \(nm\), .* has"),
        ({"shape": (5, 10, 12)}, r"differ in roi: "),
        ({"shape": (2, 6, 10, 12)}, r"differ in axes: .* has \['z', 'y', 'x'\], .* has \['c'"),
    ],
)
def test_sources_must_match(tmp_path: Path, change: dict[str, object], message: str) -> None:
    first = numpy_truth()
    second = numpy_truth(**change, seed=1)  # type: ignore[arg-type]
    config = _sum_config(tmp_path, [first, second])
    full = (
        rf"SumArray 'sum': sources {message}.*; a voxel-wise sum needs equal axes, channels, "
        r"voxel size and ROI"
    )
    assert_refused(
        config,
        GeometryError,
        full,
        reported="$ (SumArrayConfig 'sum'): SumArray 'sum': sources differ in",
    )


def test_channel_counts_must_match(tmp_path: Path) -> None:
    a = numpy_truth(shape=(2, 3, 3, 3), voxel_size=(1, 1, 1), offset=(0, 0, 0))
    b = numpy_truth(shape=(3, 3, 3, 3), voxel_size=(1, 1, 1), offset=(0, 0, 0))
    with pytest.raises(GeometryError, match=r"differ in num_channels: .* has 2, .* has 3"):
        _sum_config(tmp_path, [a, b]).create_array()


def test_no_sources(tmp_path: Path) -> None:
    config = SumArrayConfig(name="sum", source_array_configs=[])
    assert config.verify() == (
        False,
        "$ (SumArrayConfig 'sum'): source_array_configs is empty; list the arrays to add",
    )
    with pytest.raises(ConfigError, match="SumArray 'sum': source_array_configs is empty"):
        config.create_array()


def test_properties_and_reads_of_only_the_request(tmp_path: Path) -> None:
    truths = [numpy_truth(seed=0), numpy_truth(seed=1)]
    config = _sum_config(tmp_path, truths)
    array = config.create_array()
    assert isinstance(array, SumArray)
    assert array.name == "sum"
    assert not array.writable
    assert array.dims == 3
    assert array.source_array is array.source_arrays[0]
    assert [type(a) for a in array.source_arrays] == [ZarrArray, ZarrArray]
    assert array.attrs == array.source_arrays[0].attrs
    assert config.verify() == (True, "No validation for this Array")
    with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
        array.data  # noqa: B018
    roi = Roi((24, 0, 8), (16, 8, 12))
    again = pickle.loads(pickle.dumps(array))
    np.testing.assert_array_equal(again[roi], array[roi])
    with recorded_reads_of(array.source_arrays) as requests:
        got = array[roi]
    np.testing.assert_array_equal(
        got, truths[0][roi].astype(np.uint64) + truths[1][roi].astype(np.uint64)
    )
    assert requests == [(0, roi), (1, roi)]


def test_add_checked_is_exact_for_uint64_values_above_int64_max() -> None:
    totals = [0, -1, -5, 5, -(2**63)]
    others = [2**63, 2**63, 2**63 + 4, 2**63, 2**64 - 1]
    total = np.array(totals, np.int64)
    flagged = add_checked(total, np.array(others, np.uint64))
    exact = [a + b for a, b in zip(totals, others, strict=True)]
    assert flagged.tolist() == [s > np.iinfo(np.int64).max for s in exact]
    assert [v for v, f in zip(total.tolist(), flagged, strict=True) if not f] == [
        s for s in exact if s <= np.iinfo(np.int64).max
    ]
