"""``narrow_labels``: the same integers in ``uint8`` / ``uint16`` when they fit, else untouched."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays.kernels import _narrow as module
from dacapo.experiments.datasplits.datasets.arrays.kernels import narrow_labels

INTEGER_DTYPES = ["uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"]


def expected_dtype(labels: np.ndarray) -> np.dtype:
    """The reference: the narrowest of uint8 / uint16 holding every value, if narrower."""
    if labels.dtype.itemsize == 1 or (labels.size and int(labels.min()) < 0):
        return labels.dtype
    high = int(labels.max()) if labels.size else 0
    for narrow in (np.dtype(np.uint8), np.dtype(np.uint16)):
        if high <= np.iinfo(narrow).max and narrow.itemsize < labels.dtype.itemsize:
            return narrow
    return labels.dtype


@st.composite
def labels(draw: st.DrawFn) -> np.ndarray:
    dtype = np.dtype(draw(st.sampled_from(INTEGER_DTYPES)))
    info = np.iinfo(dtype)
    high = draw(st.sampled_from([1, 255, 256, 0xFFFF, 0x10000, int(info.max)]))
    low = draw(st.sampled_from([0, 0, -1, int(info.min)]))
    low, high = max(low, int(info.min)), min(high, int(info.max))
    shape = tuple(draw(st.lists(st.integers(0, 7), min_size=0, max_size=3)))
    values = np.random.default_rng(draw(st.integers(0, 2**16))).integers(
        low, high, shape, dtype=dtype, endpoint=True
    )
    if values.size and draw(st.booleans()):  # an outlier in a late block
        outliers = [v for v in (low, high, 255, 256) if info.min <= v <= info.max]
        values.flat[draw(st.integers(0, values.size - 1))] = draw(st.sampled_from(outliers))
    return values


@settings(max_examples=200, deadline=None)
@given(values=labels(), block=st.sampled_from([1, 3, 64, module.NARROW_BLOCK]))
def test_the_same_integers_in_the_narrowest_dtype(values: np.ndarray, block: int) -> None:
    with mock.patch.object(module, "NARROW_BLOCK", block):
        got = narrow_labels(values)
    assert got.dtype == expected_dtype(values)
    assert got.shape == values.shape
    np.testing.assert_array_equal(got.astype(np.int64), values.astype(np.int64))
    if got.dtype == values.dtype:
        assert got is values  # nothing narrower: the labels themselves, not a copy


@pytest.mark.parametrize("dtype", ["bool", "float32", "float64"])
def test_bool_and_float_labels_are_returned_as_they_are(dtype: str) -> None:
    values = np.ones((3, 4), dtype)
    assert narrow_labels(values) is values


def test_a_non_contiguous_view_is_returned_as_it_is() -> None:
    values = np.arange(24, dtype=np.uint64).reshape(4, 6)[:, ::2]
    assert narrow_labels(values) is values


def test_a_block_past_uint8_widens_what_was_copied_so_far() -> None:
    values = np.array([1, 2, 3, 300, 4, 70_000], np.uint64)
    with mock.patch.object(module, "NARROW_BLOCK", 2):
        np.testing.assert_array_equal(narrow_labels(values[:5]), [1, 2, 3, 300, 4])
        assert narrow_labels(values[:5]).dtype == np.uint16
        assert narrow_labels(values) is values
