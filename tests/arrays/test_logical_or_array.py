from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    LogicalOrArray,
    LogicalOrArrayConfig,
    VirtualArrayError,
)
from dacapo.experiments.datasplits.datasets.arrays.logical_or_array import logical_or
from dacapo_arrays.testing.cases.binarize import binarize_reference
from dacapo_arrays.testing.cases.logical_or import logical_or_reference
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import DTYPES, aligned_rois, fixture_settings
from dacapo_arrays.testing.virtual import numpy_sources, recorded_reads, stored

FIXTURES = fixture_settings(40)


def union_of(source: ArrayConfig) -> LogicalOrArrayConfig:
    return LogicalOrArrayConfig(name="union", source_array_config=source)


@settings(max_examples=60, deadline=None)
@given(
    dtype=st.sampled_from([*DTYPES, "bool", "int8"]),
    channels=st.one_of(st.none(), st.integers(1, 4)),
    seed=st.integers(0, 2**16),
)
def test_logical_or_is_any_non_zero_channel(dtype: str, channels: int | None, seed: int) -> None:
    rng = np.random.default_rng(seed)
    shape = (3, 4) if channels is None else (channels, 3, 4)
    values = (rng.random(shape) * 3 - 1).astype(dtype) * (rng.random(shape) > 0.6)
    got = logical_or(values, channels=channels is not None)
    nonzero = values != 0
    expected = nonzero if channels is None else nonzero.max(axis=0)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected.astype(np.uint8))


def test_nan_counts_as_set() -> None:
    values = np.array([[np.nan, 0.0], [0.0, 0.0]], np.float32)
    np.testing.assert_array_equal(logical_or(values, channels=True), [1, 0])


@FIXTURES
@given(data=st.data())
def test_reads_equal_reference(tmp_path: Path, data: st.DataObject) -> None:
    source = data.draw(
        numpy_sources(st.sampled_from(DTYPES), channels=st.one_of(st.none(), st.integers(2, 4)))
    )
    source.data[...] = np.where(source.data > np.median(source.data), source.data, 0)
    array = union_of(stored(tmp_path, source)).create_array()
    roi = data.draw(aligned_rois(source.roi, source.voxel_size))
    expected = logical_or_reference(source)[roi]
    got = array[roi]
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)


def test_properties(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(3, 4, 5, 6), voxel_size=(2, 2, 2), offset=(0, 0, 0))
    array = union_of(zarr_source(tmp_path, truth, name="masks")).create_array()
    assert isinstance(array, LogicalOrArray)
    assert array.name == "union"
    assert array.axes == ["z", "y", "x"]
    assert array.num_channels is None
    assert array.dtype == np.uint8
    assert array.shape == (4, 5, 6)
    assert array.roi == truth.roi
    assert array.voxel_size == truth.voxel_size
    assert array.attrs == array.source_array.attrs
    assert not array.writable
    with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
        array.data  # noqa: B018


def test_a_source_without_channels_is_binarized(tmp_path: Path) -> None:
    truth = numpy_truth(dtype="uint16")
    array = union_of(zarr_source(tmp_path, truth, name="labels")).create_array()
    assert array.axes == ["z", "y", "x"]
    got = array[array.roi]
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, (truth.data != 0).astype(np.uint8))


def test_reads_only_the_requested_roi(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(2, 6, 10, 12))
    array = union_of(stored(tmp_path, truth, name="masks")).create_array()
    roi = Roi((24, 0, 8), (16, 12, 20))
    with recorded_reads() as requests:
        array[roi]
    assert requests == [("masks", roi)]


def test_logical_or_of_a_binarize_of_a_crop_of_a_zarr_from_one_file(tmp_path: Path) -> None:
    labels = numpy_truth(dtype="uint32", seed=11)
    source = zarr_source(tmp_path, labels, name="labels")
    document = {
        "__type__": "LogicalOrArrayConfig",
        "name": "organelles",
        "source_array_config": {
            "__type__": "BinarizeArrayConfig",
            "name": "gt",
            "groupings": [["mito", [1, 2, 3]], ["er", [4, 5]], ["nucleus", [19]]],
            "source_array_config": {
                "__type__": "CropArrayConfig",
                "name": "crop",
                "roi": [[24, 0, 8], [32, 24, 40]],
                "source_array_config": {
                    "__type__": "ZarrArrayConfig",
                    "name": "labels",
                    "file_name": str(source.file_name),
                    "dataset": "labels",
                },
            },
        },
    }
    path = tmp_path / "organelles.json"
    path.write_text(json.dumps(document))
    config = ArrayConfig.from_file(path)
    assert config.verify() == (True, "No validation for this Array")
    array = config.create_array()
    crop = Roi((24, 0, 8), (32, 24, 40))
    assert (array.roi, array.axes) == (crop, ["z", "y", "x"])
    roi = Roi((32, 4, 12), (16, 8, 20))
    with recorded_reads() as requests:
        got = array[roi]
    assert requests == [("labels", roi)]
    groups = [("m", [1, 2, 3]), ("e", [4, 5]), ("n", [19])]
    expected = binarize_reference(labels[roi], groups, 0).max(axis=0)
    np.testing.assert_array_equal(got, expected)
