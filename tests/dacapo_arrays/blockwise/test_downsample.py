from __future__ import annotations

import itertools

import numpy as np
import pytest
from funlib.geometry import Roi
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
from dacapo.experiments.datasplits.datasets.arrays.errors import ConfigError
from dacapo.experiments.datasplits.datasets.arrays.kernels import (
    downsample_mean,
    downsample_mode,
    halve,
)
from dacapo_arrays.blockwise.downsample import method_for


def _windows(data: np.ndarray, dims: int):
    """Every 2x..x2 window (flattened in C order) with its output index, the slow way."""
    lead = data.shape[: data.ndim - dims]
    half = [s // 2 for s in data.shape[data.ndim - dims :]]
    for index in itertools.product(*map(range, lead), *map(range, half)):
        outer, inner = index[: len(lead)], index[len(lead) :]
        cut = tuple(slice(2 * i, 2 * i + 2) for i in inner)
        yield index, data[outer + cut].ravel()


volumes = st.tuples(
    st.sampled_from([2, 3]),
    st.sampled_from([None, 1, 3]),
    st.lists(st.integers(1, 4), min_size=3, max_size=3),
    st.integers(0, 2**16),
)


def _volume(dims: int, channels: int | None, half: list[int], seed: int, dtype: str):
    shape = tuple(2 * h for h in half[:dims])
    shape = shape if channels is None else (channels, *shape)
    rng = np.random.default_rng(seed)
    if dtype.startswith("float"):
        return rng.random(shape).astype(dtype)
    return rng.integers(0, 4, size=shape).astype(dtype)


@given(volumes, st.sampled_from(["uint64", "uint32", "int64", "uint8"]))
def test_mode_matches_counting_each_window(volume, dtype: str) -> None:
    dims, channels, half, seed = volume
    data = _volume(dims, channels, half, seed, dtype)
    got = downsample_mode(data, dims)
    assert got.dtype == data.dtype
    for index, window in _windows(data, dims):
        values, counts = np.unique(window, return_counts=True)
        most = {v for v, c in zip(values, counts, strict=True) if c == counts.max()}
        assert got[index] == next(v for v in window if v in most)  # ties: first met


@settings(deadline=None)  # numpy work; a loaded shared machine took 273 ms once
@given(volumes, st.sampled_from(["float32", "float64", "uint8", "uint16"]))
def test_mean_matches_averaging_each_window(volume, dtype: str) -> None:
    dims, channels, half, seed = volume
    data = _volume(dims, channels, half, seed, dtype)
    got = downsample_mean(data, (2,) * dims)
    assert got.dtype == data.dtype
    for index, window in _windows(data, dims):
        mean = window.astype(np.float64).mean()
        expected = np.rint(mean) if data.dtype.kind in "ui" else mean
        np.testing.assert_allclose(got[index], np.asarray(expected).astype(dtype), rtol=1e-6)


def _plain(dtype: str) -> NumpyArray:
    """A 2-D array of ``dtype`` with no metadata: only the dtype speaks for it."""
    return NumpyArray.from_np_array(
        np.zeros((4, 4), dtype), Roi((0, 0), (4, 4)), (1, 1), ["y", "x"]
    )


@pytest.mark.parametrize(
    ("dtype", "method"),
    [
        ("uint64", "mode"),
        ("uint32", "mode"),
        ("int64", "mode"),
        ("bool", "mode"),
        ("float32", "mean"),
    ],
)
def test_auto_asks_is_labels(dtype: str, method: str) -> None:
    assert method_for(_plain(dtype)) == method
    assert method_for(_plain(dtype), "mean") == "mean"
    assert method_for(_plain(dtype), "mode") == "mode"


@pytest.mark.parametrize("dtype", ["uint8", "uint16"])
def test_auto_refuses_to_guess_when_nothing_says(dtype: str) -> None:
    array = _plain(dtype)
    assert array.is_labels is None
    with pytest.raises(
        ConfigError,
        match=rf"cannot tell whether NumpyArray \(dtype {dtype}\) holds labels or intensities"
        r".*`--downsample mode` \(labels\) or `--downsample mean`",
    ):
        method_for(array)


def test_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match=r"unknown downsampling 'max'; use one of"):
        method_for(_plain("uint8"), "max")
    with pytest.raises(ValueError, match=r"cannot halve spatial shape \(3, 4\)"):
        halve(np.zeros((3, 4)), 2, "mean")
    with pytest.raises(ValueError, match=r"unknown downsampling 'max'; use 'mean' or 'mode'"):
        halve(np.zeros((2, 2)), 2, "max")


def test_a_bool_mean_level_is_the_majority_of_its_window() -> None:
    """Rounded like every integer mean: more than half set is True, half or less False."""
    data = np.zeros((2, 2, 6), bool)
    data[:, :, 0] = True  # window 0: 4 of 8, exactly half
    data[0, 0, 2] = True  # window 1: 1 of 8
    data[:, :, 4] = True
    data[0, 0, 5] = True  # window 2: 5 of 8
    got = halve(data, 3, "mean")
    assert got.dtype == bool
    np.testing.assert_array_equal(got, [[[False, False, True]]])
