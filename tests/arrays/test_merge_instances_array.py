from __future__ import annotations

import pickle
import tempfile
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ConfigError,
    GeometryError,
    MergeInstancesArray,
    MergeInstancesArrayConfig,
    MetadataError,
    NumpyArray,
    ValueRangeError,
    VirtualArrayError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.merge_instances_array import merge_blocks
from dacapo_arrays.testing.checks import assert_refused
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import aligned_rois, voxel_sizes
from dacapo_arrays.testing.virtual import recorded_reads_of

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INT_DTYPES = ("uint8", "uint16", "uint32", "uint64", "int16", "int64")


def _truth(values: np.ndarray, voxel=(1, 1, 1), offset=(0, 0, 0)) -> NumpyArray:
    voxel, offset = Coordinate(voxel), Coordinate(offset)
    roi = Roi(offset, Coordinate(values.shape) * voxel)
    return NumpyArray.from_np_array(values, roi, voxel, ["z", "y", "x"])


def _store(folder: Path, truths: list[NumpyArray], attrs: list[dict] | None = None) -> list:
    configs = []
    for i, truth in enumerate(truths):
        config = zarr_source(folder, truth, name=f"s{i}")
        if attrs is not None and attrs[i]:
            ZarrArray(config).add_metadata(attrs[i])
        configs.append(config)
    return configs


def _merge(folder: Path, truths: list[NumpyArray], **kwargs) -> MergeInstancesArray:
    attrs = kwargs.pop("attrs", None)
    config = MergeInstancesArrayConfig(
        name="merged", source_array_configs=_store(folder, truths, attrs), **kwargs
    )
    return config.create_array()  # type: ignore[return-value]


def _reference(blocks: list[np.ndarray], max_ids: list[int]) -> list[int]:
    """Voxel by voxel in Python: later sources paint over earlier ones; 0 stays 0."""
    merged = [0] * blocks[0].size
    offset = 0
    for block, max_id in zip(blocks, max_ids, strict=True):
        for i, value in enumerate(block.ravel().tolist()):
            if value != 0:
                merged[i] = value + offset
        offset += max_id
    return merged


@st.composite
def segmentations(draw: st.DrawFn) -> tuple[list[np.ndarray], list[int], bool]:
    """Sources as (values, max ids, declared in the config rather than stored as attrs)."""
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=3, max_size=3)))
    count = draw(st.integers(1, 3))
    blocks, max_ids = [], []
    for _ in range(count):
        dtype = np.dtype(draw(st.sampled_from(INT_DTYPES)))
        max_id = draw(st.integers(0, min(int(np.iinfo(dtype).max), 2**40)))
        seed = draw(st.integers(0, 2**16))
        values = np.random.default_rng(seed).integers(0, max_id + 1, size=shape)
        sparse = np.random.default_rng(seed + 1).random(shape) < 0.4  # room for overlaps
        blocks.append(np.where(sparse, values, 0).astype(dtype))
        max_ids.append(max_id)
    return blocks, max_ids, draw(st.booleans())


@SLOW
@given(data=st.data(), sources=segmentations())
def test_reads_equal_the_python_reference(data: st.DataObject, sources) -> None:
    blocks, max_ids, declared = sources
    voxel = data.draw(voxel_sizes(3, max_size=6))
    offset = Coordinate(data.draw(st.lists(st.integers(-2, 2), min_size=3, max_size=3))) * voxel
    truths = [_truth(b, voxel, offset) for b in blocks]
    with tempfile.TemporaryDirectory() as folder:
        if declared:
            array = _merge(Path(folder), truths, max_ids=max_ids)
        else:
            array = _merge(Path(folder), truths, attrs=[{"max_id": m} for m in max_ids])
        roi = data.draw(aligned_rois(array.roi, voxel))
        got = array[roi]
        expected = _reference([t[roi] for t in truths], max_ids)
    assert got.dtype == array.dtype
    assert got.dtype.kind == "u"
    assert np.iinfo(got.dtype).max >= sum(max_ids)
    assert got.ravel().tolist() == expected
    assert array.max_ids == max_ids
    assert array.attrs == {"max_id": sum(max_ids)}


@SLOW
@given(
    sources=segmentations(),
    cuts=st.lists(st.lists(st.integers(1, 4), min_size=3, max_size=3), min_size=1, max_size=4),
)
def test_block_by_block_equals_one_whole_read(sources, cuts: list[list[int]]) -> None:
    blocks, max_ids, _ = sources
    with tempfile.TemporaryDirectory() as folder:
        array = _merge(Path(folder), [_truth(b) for b in blocks], max_ids=max_ids)
        whole = array[array.roi]
        pieced = np.zeros_like(whole)
        step = Coordinate(cuts[0])
        shape = Coordinate(whole.shape)
        for z in range(0, shape[0], step[0]):
            for y in range(0, shape[1], step[1]):
                for x in range(0, shape[2], step[2]):
                    begin = Coordinate(z, y, x)
                    block = Roi(begin, step).intersect(array.roi)
                    pieced[block.to_slices()] = array[block]
    np.testing.assert_array_equal(pieced, whole)


def test_ids_never_collide_after_an_empty_source(tmp_path: Path) -> None:
    """The original reset its offset after an all-zero source (ORIGINAL §3.15)."""
    a = np.array([[[0, 1], [2, 0]]], np.uint8)
    empty = np.zeros((1, 2, 2), np.uint8)
    b = np.array([[[0, 0], [0, 1]]], np.uint8)
    array = _merge(tmp_path, [_truth(a), _truth(empty), _truth(b)], max_ids=[2, 3, 1])
    assert array.offsets == [0, 2, 5]
    np.testing.assert_array_equal(array[array.roi], [[[0, 1], [2, 6]]])
    assert array.dtype == np.uint8


def test_the_later_source_wins_where_instances_overlap(tmp_path: Path) -> None:
    a = np.array([[[1, 1], [1, 0]]], np.uint16)
    b = np.array([[[0, 2], [2, 2]]], np.uint16)
    array = _merge(tmp_path, [_truth(a), _truth(b)], max_ids=[1, 2])
    np.testing.assert_array_equal(array[array.roi], [[[1, 3], [3, 3]]])


def test_merge_blocks_leaves_its_inputs_alone() -> None:
    a = np.array([1, 0, 3], np.uint8)
    b = np.array([0, 2, 2], np.uint8)
    merged = merge_blocks([a, b], [0, 3], np.dtype(np.uint8))
    np.testing.assert_array_equal(merged, [1, 5, 5])
    np.testing.assert_array_equal(a, [1, 0, 3])
    np.testing.assert_array_equal(b, [0, 2, 2])


@pytest.mark.parametrize(
    ("dtypes", "declared", "attrs", "max_ids", "dtype"),
    [
        (["uint8", "uint8"], None, None, [255, 255], "uint16"),
        (["uint8", "uint8"], [10, 20], None, [10, 20], "uint8"),
        (["uint16", "uint8"], [10, 20], None, [10, 20], "uint16"),
        (["int16", "uint8"], None, None, [32767, 255], "uint16"),
        (["uint32", "uint32"], None, None, [2**32 - 1] * 2, "uint64"),
        (["uint64"], None, None, [2**64 - 1], "uint64"),
        (["uint64", "uint64"], None, [{"max_id": 7}, {"maxId": 9}], [7, 9], "uint64"),
        (["uint64", "uint64"], [2**63, 2**63 - 1], None, [2**63, 2**63 - 1], "uint64"),
        (["uint8", "uint8"], [1, 2], [{"max_id": 7}, {"max_id": 9}], [1, 2], "uint8"),
    ],
)
def test_max_ids_and_dtype(tmp_path, dtypes, declared, attrs, max_ids, dtype) -> None:
    truths = [_truth(np.zeros((1, 1, 2), d)) for d in dtypes]
    array = _merge(tmp_path, truths, max_ids=declared, attrs=attrs)
    assert array.max_ids == max_ids
    assert array.dtype == np.dtype(dtype)
    assert array[array.roi].dtype == np.dtype(dtype)


def test_merged_ids_beyond_uint64_are_refused(tmp_path: Path) -> None:
    truths = [_truth(np.zeros((1, 1, 2), np.uint64)) for _ in range(2)]
    with pytest.raises(
        ValueRangeError,
        match=(
            r"MergeInstancesArray 'merged': the merged ids would reach 36893488147419103230 "
            r"\(the sum of the max ids \[18446744073709551615, 18446744073709551615\]\), beyond "
            r"uint64; declare the true max ids with MergeInstancesArrayConfig\(max_ids=\[...\]\)"
        ),
    ):
        _merge(tmp_path, truths)


@pytest.mark.parametrize(
    ("values", "dtype", "bad"), [([0, 11], "uint8", 11), ([0, -1], "int16", -1)]
)
def test_ids_outside_the_max_id_are_refused(tmp_path, values, dtype, bad) -> None:
    a = _truth(np.array([[values]], dtype))
    b = _truth(np.array([[[1, 0]]], np.uint8))
    array = _merge(tmp_path, [a, b], max_ids=[10, 1])
    with pytest.raises(
        ValueRangeError,
        match=(
            rf"MergeInstancesArray 'merged': source_array_configs\[0\] \(ZarrArray 's0' \(dataset "
            rf"'s0' in '.*data.zarr'\)\) holds id {bad} in ROI \[0:1, 0:1, 0:2\] \(nm\), outside "
            r"0..10 \(its max id\); ids would collide .* declare the true max id in "
            r"MergeInstancesArrayConfig.max_ids"
        ),
    ):
        array[array.roi]
    assert array[Roi((0, 0, 0), (1, 1, 1))].tolist() == [[[11]]]  # b's 1, shifted by 10


@pytest.mark.parametrize("value", ["7", -1, True, 2.5])
def test_a_malformed_max_id_attribute_is_refused(tmp_path: Path, value: object) -> None:
    truths = [_truth(np.zeros((1, 1, 2), np.uint8))]
    with pytest.raises(
        MetadataError,
        match=(
            r"attribute 'max_id' of ZarrArray 's0' \(dataset 's0' in .*\) is .*; expected the "
            r"largest instance id as a whole number >= 0"
        ),
    ):
        _merge(tmp_path, truths, attrs=[{"max_id": value}])


def _pair(tmp_path: Path, second: NumpyArray) -> list[ZarrArrayConfig]:
    first = numpy_truth(dtype="uint16")
    return [zarr_source(tmp_path, first, name="s0"), zarr_source(tmp_path, second, name="s1")]


@pytest.mark.parametrize(
    ("second", "error", "message"),
    [
        (
            numpy_truth(voxel_size=(4, 4, 4)),
            GeometryError,
            r"sources differ in voxel size: source_array_configs\[0\] .* has \(8, 4, 4\), "
            r"source_array_configs\[1\] .* has \(4, 4, 4\); .* resample one of them",
        ),
        (
            numpy_truth(offset=(1600, 0, 0)),
            GeometryError,
            r"the sources do not overlap \(source_array_configs\[0\] .*: \[16:64, -8:32, 4:52\] "
            r"\(nm\); source_array_configs\[1\] .*: \[1600:1648, 0:40, 0:48\] \(nm\)\)",
        ),
        (
            numpy_truth(shape=(2, 6, 10, 12)),
            GeometryError,
            r"source_array_configs\[1\] .* has a channel axis \(axes \['c', 'z', 'y', 'x'\], 2 "
            r"channels\), but instance segmentations have none",
        ),
        (
            numpy_truth(dtype="float32"),
            ConfigError,
            r"source_array_configs\[1\] .* has dtype float32; instance ids must be integers",
        ),
        (
            numpy_truth(axes=["x", "y", "z"]),
            GeometryError,
            r"sources differ in spatial axes: .* has \['z', 'y', 'x'\], .* has \['x', 'y', 'z'\]",
        ),
    ],
)
def test_incompatible_sources(tmp_path, second, error, message) -> None:
    config = MergeInstancesArrayConfig(name="merged", source_array_configs=_pair(tmp_path, second))
    assert_refused(
        config,
        error,
        f"MergeInstancesArray 'merged': {message}",
        reported="$ (MergeInstancesArrayConfig 'merged'): MergeInstancesArray",
    )


def test_roi_is_the_intersection(tmp_path: Path) -> None:
    second = numpy_truth(offset=(32, 0, 12), dtype="uint16")
    array = MergeInstancesArrayConfig(
        name="merged", source_array_configs=_pair(tmp_path, second)
    ).create_array()
    assert array.roi == Roi((32, 0, 12), (32, 32, 40))


@pytest.mark.parametrize(
    ("max_ids", "problem"),
    [
        ([1], r"max_ids has 1 entries for 2 sources \(\[1\]\); give one max id per source"),
        ([1, -2], r"max_ids \[1, -2\] has negative entries \[-2\]; ids are >= 0"),
    ],
)
def test_bad_declared_max_ids(tmp_path: Path, max_ids: list[int], problem: str) -> None:
    sources = _pair(tmp_path, numpy_truth(dtype="uint16", seed=3))
    config = MergeInstancesArrayConfig(
        name="merged", source_array_configs=sources, max_ids=max_ids
    )
    ok, message = config.verify()
    assert not ok
    assert message.startswith("$ (MergeInstancesArrayConfig 'merged'): max_ids")
    with pytest.raises(ConfigError, match=f"MergeInstancesArray 'merged': {problem}"):
        config.create_array()


@pytest.mark.parametrize(
    ("value", "message"),
    [("12", "max_ids must be a list"), ([1.5], "max_ids must hold whole numbers; got 1.5")],
)
def test_max_ids_field_types(value: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        MergeInstancesArrayConfig(name="m", source_array_configs=[], max_ids=value)  # type: ignore[arg-type]


def test_no_sources() -> None:
    config = MergeInstancesArrayConfig(name="merged", source_array_configs=[])
    assert config.verify() == (
        False,
        "$ (MergeInstancesArrayConfig 'merged'): source_array_configs is empty; list the "
        "segmentations to merge",
    )
    with pytest.raises(ConfigError, match="source_array_configs is empty"):
        config.create_array()


def test_a_merge_of_merges_reads_the_inner_max_id(tmp_path: Path) -> None:
    a, b, c = (_truth(np.array([[[v, 0]]], np.uint8)) for v in (1, 2, 3))
    inner = MergeInstancesArrayConfig(
        name="inner", source_array_configs=_store(tmp_path / "in", [a, b]), max_ids=[4, 5]
    )
    outer = MergeInstancesArrayConfig(
        name="outer", source_array_configs=[inner, *_store(tmp_path / "out", [c])], max_ids=None
    )
    array = outer.create_array()
    assert array.max_ids == [9, 255]
    np.testing.assert_array_equal(array[array.roi], [[[12, 0]]])  # c's 3 shifted by 9


def test_properties_reads_and_config_files(tmp_path: Path) -> None:
    truths = [numpy_truth(dtype="uint16", seed=s) for s in (0, 1)]
    config = MergeInstancesArrayConfig(
        name="merged", source_array_configs=_store(tmp_path, truths), max_ids=[19, 19]
    )
    for suffix in (".yaml", ".toml", ".json"):
        config.to_file(tmp_path / f"merge{suffix}")
        assert ArrayConfig.from_file(tmp_path / f"merge{suffix}") == config
    assert config.verify() == (True, "No validation for this Array")
    array = config.create_array()
    assert array.name == "merged"
    assert array.axes == ["z", "y", "x"]
    assert array.num_channels is None
    assert array.dims == 3
    assert array.voxel_size == truths[0].voxel_size
    assert array.offsets == [0, 19]
    assert array.source_array is array.source_arrays[0]
    assert not array.writable
    with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
        array.data  # noqa: B018
    roi = Roi((24, 0, 8), (16, 8, 12))
    again = pickle.loads(pickle.dumps(array))
    np.testing.assert_array_equal(again[roi], array[roi])
    with recorded_reads_of(array.source_arrays) as requests:
        array[roi]
    assert requests == [(0, roi), (1, roi)]
