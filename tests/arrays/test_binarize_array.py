from __future__ import annotations

import os
from pathlib import Path
from unittest import mock

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    BinarizeArray,
    BinarizeArrayConfig,
    ConfigError,
    CropArrayConfig,
    IntensitiesArrayConfig,
    VirtualArrayError,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.kernels import _binarize as module
from dacapo.experiments.datasplits.datasets.arrays.kernels import binarize
from dacapo_arrays.testing.cases.binarize import binarize_reference
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import aligned_rois, fixture_settings
from dacapo_arrays.testing.virtual import numpy_sources, recorded_reads, stored

LABEL_DTYPES = ["bool", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64"]
UNUSED = ZarrArrayConfig(name="labels", file_name="never-opened.zarr", dataset="labels")


def binarize_config(source: ArrayConfig, groupings: list, **kwargs) -> BinarizeArrayConfig:
    return BinarizeArrayConfig(
        name="gt", source_array_config=source, groupings=groupings, **kwargs
    )


# -- the computation, alone ---------------------------------------------------------------


@st.composite
def labels_and_groupings(draw: st.DrawFn):
    dtype = np.dtype(draw(st.sampled_from(LABEL_DTYPES)))
    low, high = module.label_range(dtype)
    if draw(st.booleans()):  # small labels: the uint8 / uint16 copy, runs of ids
        low, high = max(low, -3), min(high, draw(st.sampled_from([60, 300, 70_000])))
    pool = draw(st.lists(st.integers(low, high), min_size=1, max_size=40, unique=True))
    seed = draw(st.integers(0, 2**16))
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    labels = np.random.default_rng(seed).choice(np.array(pool, dtype=object), size=shape)
    labels = labels.astype(dtype)
    ids = st.one_of(st.sampled_from(pool), st.integers(-(2**65), 2**65), st.integers(-3, 300))
    runs = st.builds(lambda a, k: list(range(a, a + k)), st.integers(-3, 300), st.integers(0, 40))
    group = st.one_of(st.lists(ids, max_size=60), runs, st.builds(list.__add__, runs, runs))
    groupings = draw(st.lists(st.tuples(st.just("g"), group), min_size=1, max_size=12))
    background = draw(st.one_of(st.sampled_from(pool), st.integers(-(2**64), 2**64)))
    return labels, groupings, background


@pytest.mark.parametrize(
    ("parallel_min", "equal_max", "narrow_max", "runs_max", "table_max", "search_min"),
    [
        (2**62, 2, 0xFFFF, 16, 2**24, 32),
        (2, 2, 0xFFFF, 16, 2**24, 32),
        (2**62, 0, 0xFFFF, 10**6, 2**24, 32),
        (2**62, 6, -1, 16, 2**24, 32),
        (2**62, 0, -1, 16, 2**24, 32),
        (2**62, 0, -1, 16, 0, 32),
        (2**62, 0, -1, 16, 0, 0),
    ],
    ids=[
        "one-thread",
        "two-threads",
        "narrow-always",
        "runs-in-source-dtype",
        "table-always",
        "no-table-equal-or-search",
        "search-always",
    ],
)
@settings(max_examples=60, deadline=None)
@given(example=labels_and_groupings())
def test_binarize_equals_reference_on_every_path(
    example,
    parallel_min: int,
    equal_max: int,
    narrow_max: int,
    runs_max: int,
    table_max: int,
    search_min: int,
) -> None:
    labels, groupings, background = example
    with (
        mock.patch.object(module, "PARALLEL_MIN_BYTES", parallel_min),
        mock.patch.object(module, "_CPUS", 2),
        mock.patch.object(module, "EQUAL_MAX_IDS", equal_max),
        mock.patch.object(module, "NARROW_MAX", narrow_max),
        mock.patch.object(module, "RUNS_MAX", runs_max),
        mock.patch.object(module, "TABLE_MAX_RANGE", table_max),
        mock.patch.object(module, "SEARCH_MIN_IDS", search_min),
    ):
        got = binarize(labels, groupings, background)
    expected = binarize_reference(labels, groupings, background)
    assert got.dtype == np.uint8
    np.testing.assert_array_equal(got, expected)


def test_runs_of_consecutive_ids() -> None:
    assert module._runs([]) == []
    assert module._runs([1, 2, 3, 7, 9, 10]) == [(1, 3), (7, 7), (9, 10)]


def test_binarize_paths_on_realistic_blocks() -> None:
    """Many groups (table batches of 8), wide uint64 ids (binary search), signed labels."""
    rng = np.random.default_rng(0)
    narrow = rng.integers(0, 100, (16, 16, 16)).astype(np.uint64)
    wide = narrow * np.uint64(2**33 + 7)
    signed = (narrow.astype(np.int8) - 50).astype(np.int8)
    cases = [
        (narrow, [(f"g{i}", list(range(i, 100, 11))) for i in range(11)]),
        (wide, [("few", [int(wide.flat[0])]), ("many", [int(v) for v in np.unique(wide)[:40]])]),
        (signed, [("neg", list(range(-50, -10))), ("pos", [1, 2, 3, 4, 5, 6, 49])]),
    ]
    for labels, groupings in cases:
        expected = binarize_reference(labels, groupings, 0)
        np.testing.assert_array_equal(binarize(labels, groupings), expected)


def test_values_never_exceed_one_and_background_is_never_set() -> None:
    labels = np.array([0, 5, 6], np.uint64)
    got = binarize(labels, [("dup", [5, 5, 5]), ("bg", [0, 6]), ("none", [0])])
    np.testing.assert_array_equal(got, [[0, 1, 0], [0, 0, 1], [0, 0, 0]])


def test_the_original_fixture_except_the_listed_background() -> None:
    """ORIGINAL §3.6: labels 0..99, groups 0..9, 10..69, 70..89 summed to [10, 60, 20].

    Label 0 is the background, so group 'a' now sums to 9 (docs/decisions.md).
    """
    labels = np.arange(100, dtype=np.uint64).reshape(10, 5, 2)
    groupings = [("a", list(range(10))), ("b", list(range(10, 70))), ("c", list(range(70, 90)))]
    got = binarize(labels, groupings)
    assert got.shape == (3, 10, 5, 2)
    assert got.sum(axis=(1, 2, 3)).tolist() == [9, 60, 20]


def test_binarize_refuses_float_labels() -> None:
    with pytest.raises(TypeError, match="integer or bool labels, got dtype float32"):
        binarize(np.zeros(3, np.float32), [("a", [1])])


# -- the array -----------------------------------------------------------------------------


@fixture_settings(40)
@given(data=st.data())
def test_reads_equal_reference(tmp_path: Path, data: st.DataObject) -> None:
    source = data.draw(numpy_sources(st.sampled_from(LABEL_DTYPES[1:])))
    groupings = data.draw(
        st.lists(
            st.tuples(st.text("abc", min_size=1, max_size=3), st.lists(st.integers(0, 20))),
            min_size=1,
            max_size=4,
            unique_by=lambda g: g[0],
        )
    )
    background = data.draw(st.integers(0, 20))
    config = binarize_config(stored(tmp_path, source), groupings, background=background)
    array = config.create_array()
    roi = data.draw(aligned_rois(source.roi, source.voxel_size))
    expected = binarize_reference(source[roi], groupings, background)
    np.testing.assert_array_equal(array[roi], expected)


def test_properties(tmp_path: Path) -> None:
    labels = numpy_truth(dtype="uint64")
    source = zarr_source(tmp_path, labels, name="labels")
    groupings = [("mito", [3, 4, 5]), ("all", [])]
    array = binarize_config(source, groupings, background=2).create_array()
    assert isinstance(array, BinarizeArray)
    assert array.name == "gt"
    assert array.axes == ["c", "z", "y", "x"]
    assert array.spatial_axes == ["z", "y", "x"]
    assert array.dims == 3
    assert array.dtype == np.uint8
    assert array.num_channels == 2
    assert array.shape == (2, *labels.shape)
    assert list(array.channels) == ["mito", "all"]
    assert list(array.channels) == ["mito", "all"]  # a fresh iterator on every access
    assert array.groupings == groupings
    assert array.background == 2
    assert array.roi == labels.roi
    assert array.voxel_size == labels.voxel_size
    assert array.attrs == array.source_array.attrs
    assert not array.writable
    with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
        array.data  # noqa: B018


def test_reads_only_the_requested_roi(tmp_path: Path) -> None:
    source = stored(tmp_path, numpy_truth(dtype="uint32"), name="labels")
    array = binarize_config(source, [("a", [1]), ("b", list(range(20)))]).create_array()
    roi = Roi((24, 0, 8), (16, 12, 20))
    with recorded_reads() as requests:
        array[roi]
    assert requests == [("labels", roi)]


def test_source_with_channels_is_refused(tmp_path: Path) -> None:
    source = zarr_source(tmp_path, numpy_truth(shape=(2, 3, 4, 5)), name="multi")
    with pytest.raises(
        ConfigError,
        match=r"BinarizeArray 'gt' cannot binarize ZarrArray 'multi': it has a channel axis "
        r"\(axes \['c', 'z', 'y', 'x'\]\); binarize a label array without channels",
    ):
        binarize_config(source, [("a", [1])]).create_array()


def test_float_source_is_refused(tmp_path: Path) -> None:
    raw = zarr_source(tmp_path, numpy_truth(), name="raw")
    intensities = IntensitiesArrayConfig(name="raw01", source_array_config=raw, min=0, max=255)
    with pytest.raises(
        ConfigError,
        match=r"cannot binarize IntensitiesArray 'raw01': its dtype float32 is not an integer "
        r"type; labels must be integer ids",
    ):
        binarize_config(intensities, [("a", [1])]).create_array()


@pytest.mark.parametrize(
    ("groupings", "problem"),
    [
        ([], r"groupings is empty: give at least one \(name, \[ids\]\) pair"),
        (
            [("mito", [1]), ("er", [2]), ("mito", [])],
            r"group name 'mito' is used 2 times in groupings; channel names must be unique",
        ),
        ([("mito", [1]), (" ", [2])], r"group 1 has an empty name ' '; name every channel"),
    ],
)
def test_verify_and_construction_report_bad_groupings(groupings, problem: str) -> None:
    config = binarize_config(UNUSED, groupings)
    ok, message = config.verify()
    assert not ok
    assert message.startswith("$ (BinarizeArrayConfig 'gt'): ")
    assert message.splitlines()[1:] == [
        "$.source_array_config (ZarrArrayConfig 'labels'): container 'never-opened.zarr' does "
        "not exist; check ZarrArrayConfig.file_name of ZarrArray 'labels'"
    ]
    with pytest.raises(ValueError, match=problem):
        raise ValueError(message)
    with pytest.raises(ConfigError, match=rf"cannot build BinarizeArray 'gt': {problem}"):
        config.create_array()  # refused before the (missing) source is opened


def test_verify_reports_the_sources_problems_too() -> None:
    bad_source = IntensitiesArrayConfig(name="raw01", source_array_config=UNUSED, min=1, max=1)
    ok, message = binarize_config(bad_source, []).verify()
    assert not ok
    lines = message.splitlines()
    assert lines[0].startswith("$ (BinarizeArrayConfig 'gt'): groupings is empty")
    assert lines[1].startswith(
        "$.source_array_config (IntensitiesArrayConfig 'raw01'): max (1.0) must be greater"
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"background": True}, TypeError, "'background' must be an integer label id; got True"),
        ({"background": 1.5}, TypeError, "'background' must be an integer label id; got 1.5"),
        ({"groupings": ["mito"]}, ValueError, r"expected a \(name, \[ids\]\) pair, got 'mito'"),
        ({"groupings": [("m", [1.5])]}, ValueError, "label ids of group 'm' must be integers"),
    ],
)
def test_field_types_are_checked(kwargs, error, message: str) -> None:
    fields = {"groupings": [("a", [1])]} | kwargs
    with pytest.raises(error, match=message):
        BinarizeArrayConfig(name="gt", source_array_config=UNUSED, **fields)


def test_a_fractional_background_in_a_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gt.yaml"
    path.write_text(
        "__type__: BinarizeArrayConfig\nname: gt\nbackground: 0.5\ngroupings: [[a, [1]]]\n"
        "source_array_config: {__type__: ZarrArrayConfig, name: l, file_name: x.zarr, "
        "dataset: l}\n"
    )
    with pytest.raises(ConfigError, match=r"\$\.background: expected a whole number, got 0.5"):
        ArrayConfig.from_file(path)


def test_round_trip_keeps_groupings_and_background() -> None:
    config = binarize_config(UNUSED, [("a", []), ("b", [2**40, 3])], background=-1)
    again = ArrayConfig.from_dict(config.to_dict())
    assert again == config
    assert again.groupings == [("a", []), ("b", [2**40, 3])]  # type: ignore[attr-defined]


NESTED_YAML = """\
__type__: BinarizeArrayConfig
name: gt
groupings:
- [mito, [3, 4, 5]]
- [anything, []]
source_array_config:
  __type__: CropArrayConfig
  name: crop
  roi: [[24, -4, 12], [24, 28, 32]]
  source_array_config:
    __type__: ZarrArrayConfig
    name: labels
    file_name: {container}
    dataset: labels
"""


@fixture_settings(10)
@given(data=st.data())
def test_binarize_of_a_crop_of_a_zarr_from_one_file(tmp_path: Path, data: st.DataObject) -> None:
    labels = numpy_truth(dtype="uint64", seed=5)
    source = zarr_source(tmp_path, labels, name="labels")
    path = tmp_path / "gt.yaml"
    path.write_text(NESTED_YAML.format(container=source.file_name))
    config = ArrayConfig.from_file(path)
    assert config.verify() == (True, "No validation for this Array")
    assert isinstance(config.source_array_config, CropArrayConfig)  # type: ignore[attr-defined]
    array = config.create_array()
    crop_roi = Roi((24, -4, 12), (24, 28, 32))
    assert array.roi == crop_roi
    roi = data.draw(aligned_rois(array.roi, array.voxel_size))
    expected = binarize_reference(labels[roi], [("m", [3, 4, 5]), ("a", [])], 0)
    np.testing.assert_array_equal(array[roi], expected)
    assert array.voxel_size == Coordinate(8, 4, 4)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_two_threads_still_work_in_a_forked_child() -> None:
    labels = np.arange(2**18, dtype=np.uint64) % 41
    groupings = [("a", [1]), ("b", [2, 3, 4])]
    expected = binarize_reference(labels, groupings, 0)
    with mock.patch.object(module, "_CPUS", 2):
        np.testing.assert_array_equal(binarize(labels, groupings), expected)  # pool started
        pid = os.fork()
        if pid == 0:  # the child: a hang here would time the test out
            ok = np.array_equal(binarize(labels, groupings), expected)
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
