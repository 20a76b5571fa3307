from __future__ import annotations

import pickle
import re
import tempfile
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ConcatArray,
    ConcatArrayConfig,
    ConfigError,
    GeometryError,
    MergeInstancesArrayConfig,
    MissingAnnotationsMaskConfig,
    NumpyArray,
    SumArrayConfig,
    VirtualArrayError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo_arrays.testing.checks import assert_refused
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import aligned_rois, random_volume, voxel_sizes
from dacapo_arrays.testing.virtual import recorded_reads_of

SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DTYPES = ("uint8", "uint16", "int32", "uint64", "float32", "float64")
NAMES = ("mito", "er", "nucleus", "ecs")


def _truth(values: np.ndarray, voxel: Coordinate, offset: Coordinate) -> NumpyArray:
    axes = ["c", "z", "y", "x"][-values.ndim :]
    roi = Roi(offset, Coordinate(values.shape[-3:]) * voxel)
    return NumpyArray.from_np_array(values, roi, voxel, axes)


@st.composite
def concat_inputs(draw: st.DrawFn):
    """(channels, {channel: truth}, default truth or None, voxel size, wrapped channels).

    A wrapped channel's source is a one-channel concat of its stored array: a real source
    with a ``c`` axis of length 1 (stored arrays keep a single channel without ``c``).
    """
    voxel = draw(voxel_sizes(3, max_size=5))
    channels = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4, unique=True))
    with_source = draw(st.lists(st.sampled_from(channels), unique=True, max_size=len(channels)))
    has_default = draw(st.booleans()) or not with_source
    wrapped = (
        set(draw(st.lists(st.sampled_from(with_source), unique=True))) if with_source else set()
    )

    def source(seed: int) -> NumpyArray:
        shape = tuple(draw(st.lists(st.integers(3, 6), min_size=3, max_size=3)))
        offset = Coordinate(draw(st.lists(st.integers(0, 2), min_size=3, max_size=3))) * voxel
        dtype = draw(st.sampled_from(DTYPES))
        return _truth(random_volume(shape, dtype, seed), voxel, offset)

    sources = {c: source(i) for i, c in enumerate(with_source)}
    default = source(99) if has_default else None
    return channels, sources, default, voxel, wrapped


def _store(folder: Path, truth: NumpyArray, name: str) -> ZarrArrayConfig:
    return zarr_source(folder, truth, name=name)


def _one_channel(config: ArrayConfig, name: str) -> ConcatArrayConfig:
    return ConcatArrayConfig(
        name=f"{name}_c", channels=[name], source_array_configs={name: config}
    )


def _reference(channels, sources, default, roi: Roi, dtype) -> np.ndarray:
    planes = [sources.get(c, default) for c in channels]
    blocks = [None if p is None else p[roi] for p in planes]
    shape = next(b.shape for b in blocks if b is not None)
    return np.stack([np.zeros(shape, dtype) if b is None else b.astype(dtype) for b in blocks])


@SLOW
@given(data=st.data(), inputs=concat_inputs())
def test_reads_equal_the_numpy_stack(data: st.DataObject, inputs) -> None:
    channels, sources, default, voxel, wrapped = inputs
    used = [sources.get(c, default) for c in channels]
    used = [u for u in used if u is not None]
    roi = used[0].roi
    for truth in used[1:]:
        roi = roi.intersect(truth.roi)
    assume(not roi.empty)  # disjoint sources: test_disjoint_sources
    with tempfile.TemporaryDirectory() as folder:
        config = ConcatArrayConfig(
            name="cat",
            channels=channels,
            source_array_configs={
                c: _one_channel(_store(Path(folder), t, c), c)
                if c in wrapped
                else _store(Path(folder), t, c)
                for c, t in sources.items()
            },
            default_config=None if default is None else _store(Path(folder), default, "default"),
        )
        array = config.create_array()
        request = data.draw(aligned_rois(array.roi, voxel))
        got = array[request]
    dtype = np.result_type(*[u.dtype for u in used])
    np.testing.assert_array_equal(got, _reference(channels, sources, default, request, dtype))
    assert got.dtype == array.dtype == dtype
    assert array.roi == roi
    assert array.axes == ["c", "z", "y", "x"]
    assert array.num_channels == len(channels) == got.shape[0]
    assert list(array.channels) == channels
    assert array.voxel_size == voxel
    assert array.attrs == {}


@pytest.mark.parametrize(
    ("dtypes", "expected"),
    [
        (["uint8", "uint8"], "uint8"),
        (["uint8", "float32"], "float32"),
        (["uint8", "int8"], "int16"),
        (["int64", "uint64"], "float64"),
    ],
)
def test_dtype_is_the_numpy_result_type(tmp_path, dtypes: list[str], expected: str) -> None:
    sources = {
        f"c{i}": _store(tmp_path, numpy_truth(dtype=d, seed=i), f"c{i}")
        for i, d in enumerate(dtypes)
    }
    config = ConcatArrayConfig(name="cat", channels=list(sources), source_array_configs=sources)
    assert config.create_array().dtype == np.dtype(expected)


def test_each_distinct_source_is_read_once(tmp_path: Path) -> None:
    a, b = numpy_truth(seed=1), numpy_truth(seed=2)
    a_config, b_config = _store(tmp_path, a, "a"), _store(tmp_path, b, "b")
    config = ConcatArrayConfig(
        name="cat",
        channels=["x", "y", "z", "w"],
        source_array_configs={"x": a_config, "z": a_config},
        default_config=b_config,
    )
    array = config.create_array()
    assert isinstance(array, ConcatArray)
    assert array.source_arrays["x"] is array.source_arrays["z"]  # equal configs, one array
    roi = Roi((24, 0, 8), (16, 8, 12))
    with recorded_reads_of([array.source_arrays["x"], array.default_array]) as requests:
        got = array[roi]
    assert requests == [(0, roi), (1, roi)]
    np.testing.assert_array_equal(got, np.stack([a[roi], b[roi], a[roi], b[roi]]))


def test_an_unused_default_is_not_read_and_sets_nothing(tmp_path: Path) -> None:
    a = numpy_truth()
    default = numpy_truth(dtype="float64", offset=(0, 0, 0), shape=(20, 20, 20))
    config = ConcatArrayConfig(
        name="cat",
        channels=["x"],
        source_array_configs={"x": _store(tmp_path, a, "a")},
        default_config=_store(tmp_path, default, "default"),
    )
    array = config.create_array()
    assert array.dtype == np.uint8
    assert array.roi == a.roi
    with recorded_reads_of([array.default_array]) as requests:
        array[array.roi]
    assert requests == []


def test_channels_without_any_array_are_zeros(tmp_path: Path) -> None:
    a = numpy_truth(dtype="float32")
    config = ConcatArrayConfig(
        name="cat", channels=["x", "y"], source_array_configs={"y": _store(tmp_path, a, "a")}
    )
    array = config.create_array()
    assert array.default_array is None
    got = array[a.roi]
    np.testing.assert_array_equal(got, np.stack([np.zeros_like(a.data), a.data]))
    assert got.dtype == np.float32


def test_properties(tmp_path: Path) -> None:
    a, b = numpy_truth(seed=1), numpy_truth(seed=2)
    config = ConcatArrayConfig(
        name="cat",
        channels=["x", "y", "z"],
        source_array_configs={"z": _store(tmp_path, a, "a"), "y": _store(tmp_path, b, "b")},
    )
    assert config.verify() == (True, "No validation for this Array")
    array = config.create_array()
    assert array.name == "cat"
    assert array.channels == ["x", "y", "z"]
    assert array.source_array is array.source_arrays["y"]  # first in channel order
    assert set(array.source_arrays) == {"y", "z"}
    assert all(isinstance(s, ZarrArray) for s in array.source_arrays.values())
    assert array.dims == 3
    assert array.shape == (3, 6, 10, 12)
    assert not array.writable
    with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
        array.data  # noqa: B018
    again = pickle.loads(pickle.dumps(array))
    np.testing.assert_array_equal(again[again.roi], array[array.roi])
    default_only = ConcatArrayConfig(
        name="d", channels=["x"], source_array_configs={}, default_config=config
    )
    with pytest.raises(
        ConfigError, match=r"'d': default_config \(ConcatArray 'cat'\) has 3 channels"
    ):
        default_only.create_array()


def test_a_source_with_one_channel_counts_as_one(tmp_path: Path) -> None:
    single = numpy_truth()
    inner = _one_channel(_store(tmp_path, single, "s"), "s")
    assert inner.create_array().num_channels == 1
    config = ConcatArrayConfig(name="cat", channels=["x"], source_array_configs={"x": inner})
    np.testing.assert_array_equal(config.create_array()[single.roi], single.data[None])


@pytest.mark.parametrize(
    ("second", "error", "message"),
    [
        (
            numpy_truth(shape=(3, 6, 10, 12)),
            ConfigError,
            r"channel 'y' \(ZarrArray 'b' \(dataset 'b' in '.*'\)\) has 3 channels; each entry "
            r"of channels takes one array with no channel axis or a single channel",
        ),
        (
            numpy_truth(voxel_size=(4, 4, 4)),
            GeometryError,
            r"sources differ in voxel size: channel 'x' .* has \(8, 4, 4\), channel 'y' .* has "
            r"\(4, 4, 4\); every source must have the same voxel size",
        ),
        (
            numpy_truth(offset=(800, 0, 0)),
            GeometryError,
            r"the sources do not overlap \(channel 'x' .*: \[16:64, -8:32, 4:52\] \(nm\); "
            r"channel 'y' .*: \[800:848, 0:40, 0:48\] \(nm\)\); their ROIs must share",
        ),
        (
            numpy_truth(shape=(10, 12), voxel_size=(4, 4), offset=(0, 0)),
            GeometryError,
            r"sources differ in spatial axes: channel 'x' .* has \['z', 'y', 'x'\], channel 'y' "
            r".* has \['y', 'x'\]",
        ),
    ],
)
def test_incompatible_sources(tmp_path, second, error, message) -> None:
    config = ConcatArrayConfig(
        name="cat",
        channels=["x", "y"],
        source_array_configs={
            "x": _store(tmp_path, numpy_truth(), "a"),
            "y": _store(tmp_path, second, "b"),
        },
    )
    assert_refused(
        config,
        error,
        f"ConcatArray 'cat': {message}",
        reported="$ (ConcatArrayConfig 'cat'): ConcatArray 'cat': ",
    )


@pytest.mark.parametrize(
    ("channels", "sources", "default", "problem"),
    [
        ([], {}, True, "channels is empty; list the output channels in order"),
        (["x", "x"], {}, True, r"channels \['x', 'x'\] repeat 'x'; name each output channel once"),
        (
            ["x"],
            {"mito": True},
            False,
            r"source_array_configs has 'mito', which is not one of channels \['x'\]; add it",
        ),
        (
            ["x"],
            {},
            False,
            "neither source_array_configs nor default_config gives an array",
        ),
    ],
)
def test_channel_problems(tmp_path, channels, sources, default, problem) -> None:
    stored = _store(tmp_path, numpy_truth(), "a")
    config = ConcatArrayConfig(
        name="cat",
        channels=channels,
        source_array_configs={k: stored for k in sources},
        default_config=stored if default else None,
    )
    ok, message = config.verify()
    assert not ok
    assert message.startswith("$ (ConcatArrayConfig 'cat'): ")
    assert len(message.splitlines()) == 1
    assert re.search(problem, message)
    with pytest.raises(ConfigError, match=f"ConcatArray 'cat': {problem}"):
        config.create_array()


@pytest.mark.parametrize(
    ("value", "message"),
    [("mito", "channels must be a list of channel names"), ([1], "channel names must be")],
)
def test_channel_field_types(value: object, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        ConcatArrayConfig(name="c", channels=value, source_array_configs={})  # type: ignore[arg-type]


def test_a_nested_tree_from_one_config_file(tmp_path: Path) -> None:
    """concat(sum(zarr, n5), merge(zarr, zarr), mask(labels), default zarr) from one file."""
    voxel, offset = (8, 4, 4), (16, -8, 4)
    raw_a = numpy_truth(dtype="uint16", seed=1)
    raw_b = numpy_truth(dtype="uint16", seed=2)
    seg_a = numpy_truth(dtype="uint32", seed=3)
    seg_b = numpy_truth(dtype="uint32", seed=4)
    labels = numpy_truth(dtype="uint8", seed=5)
    background = numpy_truth(dtype="float32", seed=6)
    store = tmp_path / "data"
    labels_config = zarr_source(store, labels, name="labels")
    ZarrArray(labels_config).add_metadata(
        {"labels": [{"value": 3, "annotationState": {"present": True, "annotated": "dense"}}]}
    )
    tree = ConcatArrayConfig(
        name="stack",
        channels=["sum", "merged", "mask", "zeros", "background"],
        source_array_configs={
            "sum": SumArrayConfig(
                name="sum",
                source_array_configs=[
                    zarr_source(store, raw_a, name="raw_a"),
                    zarr_source(store, raw_b, name="raw_b", container="data.n5"),
                ],
            ),
            "merged": MergeInstancesArrayConfig(
                name="merged",
                source_array_configs=[
                    zarr_source(store, seg_a, name="seg_a"),
                    zarr_source(store, seg_b, name="seg_b"),
                ],
                max_ids=[19, 19],
            ),
            "mask": MissingAnnotationsMaskConfig(
                name="mask", source_array_config=labels_config, groupings=[("mito", [3])]
            ),
        },
        default_config=zarr_source(store, background, name="background"),
    )
    for suffix in (".yaml", ".toml", ".json"):
        path = tmp_path / f"stack{suffix}"
        tree.to_file(path)
        loaded = ArrayConfig.from_file(path)
        assert loaded == tree
        assert loaded.verify() == (True, "No validation for this Array")
        array = loaded.create_array()
        roi = Roi((24, 0, 8), (32, 16, 28))
        merged = np.where(seg_b[roi] > 0, seg_b[roi].astype(np.uint64) + 19, seg_a[roi])
        expected = np.stack(
            [
                raw_a[roi].astype(np.float64) + raw_b[roi],
                merged,
                labels[roi] > 0,
                background[roi],  # "zeros" has no source: it takes the default
                background[roi],
            ]
        )
        got = array[roi]
        assert got.dtype == np.float64  # uint64 (sum) with float32 (default)
        assert array.voxel_size == voxel
        assert array.roi == Roi(offset, (48, 40, 48))
        np.testing.assert_array_equal(got, expected)
