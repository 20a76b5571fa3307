from __future__ import annotations

import itertools
import pickle
import re
import tempfile
from pathlib import Path

import attrs
import numpy as np
import pytest
import scipy.ndimage
from funlib.geometry import Coordinate, Roi
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayIdentifier,
    ConfigError,
    NumpyArray,
    ResampledArray,
    ResampledArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._reads import shared_reads
from dacapo.experiments.datasplits.datasets.arrays.kernels import cast_back, downsample_mean
from dacapo.experiments.datasplits.datasets.arrays.kernels._resample import (
    downsample_nearest,
    mean_over,
    sum_along,
    upsample_linear,
    upsample_nearest,
)
from dacapo.experiments.datasplits.datasets.arrays.resampled_array import (
    PYRAMID_ATTR,
    PYRAMID_METHOD_ATTR,
    matching_levels,
)
from dacapo.experiments.datasplits.datasets.arrays.resampled_array_config import (
    to_interp_order,
)
from dacapo_arrays.testing.cases.resampled import block_mean, reference_resample
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import aligned_rois, random_volume

SLOW = settings(max_examples=40, deadline=None)


# -- the plain functions, alone ---------------------------------------------------------------


@st.composite
def blocks(draw: st.DrawFn, factor_of_length: bool) -> tuple[np.ndarray, int, int]:
    ndim = draw(st.integers(1, 3))
    axis = draw(st.integers(0, ndim - 1))
    factor = draw(st.integers(1, 4))
    shape = draw(st.lists(st.integers(1, 5), min_size=ndim, max_size=ndim))
    if factor_of_length:
        shape[axis] *= factor
    seed = draw(st.integers(0, 2**16))
    return np.random.default_rng(seed).random(shape), axis, factor


@given(blocks(factor_of_length=True))
def test_mean_over_is_the_block_average(block: tuple[np.ndarray, int, int]) -> None:
    values, axis, factor = block
    factors = [factor if i == axis else 1 for i in range(values.ndim)]
    got = mean_over(values, factors, np.float64)
    np.testing.assert_allclose(got, block_mean(values, factors), rtol=1e-12)
    np.testing.assert_array_equal(downsample_mean(values, factors), got)


def test_sums_cast_integers_on_the_fly() -> None:
    values = np.array([[250, 255, 1, 2]], np.uint8)
    got = sum_along(values, 1, 2, np.float32)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, [[505, 3]])
    np.testing.assert_array_equal(mean_over(values, (1, 2), np.float32), [[252.5, 1.5]])


@given(
    st.lists(st.integers(1, 3), min_size=1, max_size=3),
    st.sampled_from(["uint8", "int16", "uint16", "float32", "float64"]),
    st.integers(0, 2**16),
)
def test_downsample_mean_rounds_the_exact_block_mean_half_to_even(
    factors: list[int], dtype: str, seed: int
) -> None:
    shape = [2 * f for f in factors]
    values = random_volume(tuple(shape), dtype, seed)
    got = downsample_mean(values, factors)
    assert got.dtype == values.dtype
    exact = block_mean(values.astype(np.float64), factors)
    if values.dtype.kind in "iu":  # the sums are exact in float32: so is the rounding
        np.testing.assert_array_equal(got, np.rint(exact).astype(dtype))
    else:
        np.testing.assert_allclose(got, exact.astype(dtype), rtol=1e-6)


def test_downsample_mean_refuses_uneven_extents() -> None:
    with pytest.raises(ValueError, match=r"cannot downsample spatial shape \(3, 4\) by \(2, 2\)"):
        downsample_mean(np.zeros((3, 4)), (2, 2))


@given(blocks(factor_of_length=False))
def test_upsample_linear_matches_scipy_zoom(block: tuple[np.ndarray, int, int]) -> None:
    values, axis, factor = block
    values = np.concatenate([values, values[_at(axis, slice(0, 2))]], axis=axis)  # >= 3 long
    zoom = [factor if i == axis else 1 for i in range(values.ndim)]
    full = scipy.ndimage.zoom(values, zoom, order=1, mode="nearest", grid_mode=True)
    expected = full[_at(axis, slice(factor, -factor))]  # drop the context's own outputs
    np.testing.assert_allclose(upsample_linear(values, axis, factor), expected, atol=1e-12)


def test_upsample_linear_sample_points() -> None:
    """Output centres of source voxel 1 (context voxels 0 and 2) for factor 2 and 3."""
    values = np.array([0.0, 12.0, 24.0])
    np.testing.assert_allclose(upsample_linear(values, 0, 2), [9.0, 15.0])  # 1 -/+ 1/4
    np.testing.assert_allclose(upsample_linear(values, 0, 3), [8.0, 12.0, 16.0])  # 1 -/+ 1/3


@given(blocks(factor_of_length=True))
def test_nearest_functions_match_striding_and_repeat(block: tuple[np.ndarray, int, int]) -> None:
    values, axis, factor = block
    picked = np.take(values, np.arange(factor // 2, values.shape[axis], factor), axis=axis)
    np.testing.assert_array_equal(downsample_nearest(values, axis, factor), picked)
    repeated = np.take(values, np.arange(values.shape[axis] * factor) // factor, axis=axis)
    np.testing.assert_array_equal(upsample_nearest(values, axis, factor), repeated)


def test_cast_back_rounds_half_to_even_and_keeps_floats() -> None:
    values = np.array([0.5, 1.5, 2.5, 2.6, 254.7], np.float32)
    np.testing.assert_array_equal(cast_back(values, np.dtype("uint8")), [0, 2, 2, 3, 255])
    np.testing.assert_array_equal(cast_back(np.array([0.5, 0.75]), np.dtype(bool)), [False, True])
    np.testing.assert_array_equal(cast_back(values, np.dtype("float64")), values)


def _at(axis: int, index: slice) -> tuple[slice, ...]:
    return (slice(None),) * axis + (index,)


# -- the array against the reference ----------------------------------------------------------


@st.composite
def resamplings(draw: st.DrawFn, orders: tuple[int, ...] = (0, 1)) -> dict[str, object]:
    """A random source (dtype, channels, voxel size, offset, shape) and factors for it."""
    dims = draw(st.integers(2, 3))
    order = draw(st.sampled_from(orders))
    dtypes = ["uint8", "int16", "float32", "float64"] + (["uint64"] if not order else [])
    up, down, voxel, shape = [], [], [], []
    for _ in range(dims):
        direction = draw(st.sampled_from(["same", "up", "down"]))
        factor = draw(st.integers(2, 4)) if direction != "same" else 1
        u, d = (factor, 1) if direction == "up" else (1, factor)
        up.append(u)
        down.append(d)
        voxel.append(u * draw(st.integers(1, 3)))
        shape.append(draw(st.integers(2 * d - 1, 3 * d + 2)))  # holds a whole block
    channels = draw(st.sampled_from([None, 2]))
    offset = [v * draw(st.integers(-3, 3)) for v in voxel]
    full_shape = tuple(shape) if channels is None else (channels, *shape)
    axes = ["z", "y", "x"][-dims:] if channels is None else ["c", *["z", "y", "x"][-dims:]]
    return {
        "source": numpy_truth(
            full_shape,
            draw(st.sampled_from(dtypes)),
            tuple(voxel),
            tuple(offset),
            axes=axes,
            seed=draw(st.integers(0, 2**16)),
        ),
        "up": tuple(up),
        "down": tuple(down),
        "order": order,
    }


def _resampled(folder: Path, source: NumpyArray, up, down, order) -> ResampledArray:
    config = ResampledArrayConfig(
        name="resampled",
        source_array_config=zarr_source(folder, source),
        upsample=up,
        downsample=down,
        interp_order=order,
    )
    array = config.create_array()
    assert isinstance(array, ResampledArray)
    return array


def _assert_matches_reference(got: np.ndarray, source: NumpyArray, spec, roi: Roi) -> None:
    up, down, order = spec["up"], spec["down"], spec["order"]
    if order == 0 or source.dtype.kind == "f":
        expected = reference_resample(source, up, down, order)[roi]
        assert got.dtype == expected.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
        return
    as_float = NumpyArray.from_np_array(
        source.data.astype(np.float64), source.roi, source.voxel_size, source.axes
    )
    exact = reference_resample(as_float, up, down, order)[roi]
    assert got.dtype == source.dtype
    assert np.abs(got.astype(np.float64) - exact).max() <= 0.5 + 1e-4
    clear = np.abs(exact - np.floor(exact) - 0.5) > 1e-3  # not a rounding tie
    np.testing.assert_array_equal(got[clear], np.rint(exact[clear]))


@SLOW
@given(spec=resamplings(), data=st.data())
def test_reads_match_the_reference(spec: dict, data: st.DataObject) -> None:
    source = spec["source"]
    with tempfile.TemporaryDirectory() as folder:
        array = _resampled(Path(folder), source, spec["up"], spec["down"], spec["order"])
        expected_voxel = source.voxel_size * Coordinate(spec["down"]) / Coordinate(spec["up"])
        assert array.voxel_size == expected_voxel
        assert array.roi == source.roi.snap_to_grid(expected_voxel, mode="shrink")
        assert array.dtype == source.dtype
        assert array.axes == source.axes
        roi = data.draw(aligned_rois(array.roi, array.voxel_size))
        _assert_matches_reference(array[roi], source, spec, roi)


@st.composite
def nearest_downsamplings(draw: st.DrawFn) -> dict[str, object]:
    """``resamplings`` with order 0 and no upsampling: the reads that pick source voxels."""
    return draw(resamplings(orders=(0,)).filter(lambda spec: max(spec["up"]) == 1))


@SLOW
@given(spec=nearest_downsamplings(), data=st.data())
def test_nearest_downsampling_reads_only_the_voxels_it_keeps(
    spec: dict, data: st.DataObject
) -> None:
    """A zarr source hands over the kept voxels with strides (sync, async, shared within a
    sample); the result is the reference's and that of a source without such a read."""
    source = spec["source"]
    with tempfile.TemporaryDirectory() as folder:
        array = _resampled(Path(folder), source, spec["up"], spec["down"], spec["order"])
        roi = data.draw(aligned_rois(array.roi, array.voxel_size))
        request, pads, crops = array._source_request(roi)
        assert request == roi  # what _read / _read_async ask the source for without computing
        picked = array.source._read_nearest(request, array.downsample)
        assert picked is not None
        assert picked.shape == array._request_shape(roi)
        expected = reference_resample(source, spec["up"], spec["down"], 0)[roi]
        np.testing.assert_array_equal(array[roi], expected)
        with shared_reads():
            one, two = array.read_async(roi), array.read_async(roi)
        assert one is two  # the same stored voxels, read once
        np.testing.assert_array_equal(one.result(), expected)
        computed = array._resampled(array.source[request], pads, crops)  # everything read
        np.testing.assert_array_equal(computed, expected)
    assert source._read_nearest(request, array.downsample) is None  # numpy: no such read


@st.composite
def tilings(draw: st.DrawFn, roi: Roi, voxel_size: Coordinate) -> list[Roi]:
    """The ROIs of a random grid tiling of ``roi`` (cuts on the voxel grid)."""
    edges = []
    for b, e, v in zip(roi.begin, roi.end, voxel_size, strict=True):
        inner = list(range(b + v, e, v))
        cuts = draw(st.lists(st.sampled_from(inner), unique=True)) if inner else []
        edges.append([b, *sorted(cuts), e])
    tiles = [Roi((), ())]
    for axis_edges in edges:
        spans = list(itertools.pairwise(axis_edges))
        tiles = [Roi((*t.begin, lo), (*t.shape, hi - lo)) for t in tiles for lo, hi in spans]
    return tiles


@SLOW
@given(spec=resamplings(), data=st.data())
def test_tiled_reads_equal_the_whole_read(spec: dict, data: st.DataObject) -> None:
    source = spec["source"]
    if source.dtype.kind == "u":  # non-exact float arithmetic is what is at stake here
        source = NumpyArray.from_np_array(
            random_volume(source.shape, "float32", 1), source.roi, source.voxel_size, source.axes
        )
    with tempfile.TemporaryDirectory() as folder:
        array = _resampled(Path(folder), source, spec["up"], spec["down"], spec["order"])
        roi = data.draw(aligned_rois(array.roi, array.voxel_size))
        whole = array[roi]
        assembled = np.empty_like(whole)
        channels = (slice(None),) * (whole.ndim - array.dims)
        for tile in data.draw(tilings(roi, array.voxel_size)):
            start = (tile.begin - roi.begin) / array.voxel_size
            stop = start + tile.shape / array.voxel_size
            index = tuple(slice(a, b) for a, b in zip(start, stop, strict=True))
            assembled[(*channels, *index)] = array[tile]
        np.testing.assert_array_equal(assembled, whole)


@SLOW
@given(spec=resamplings(), data=st.data())
def test_reads_ask_the_source_for_the_request_plus_context_only(
    spec: dict, data: st.DataObject
) -> None:
    source = spec["source"]
    with tempfile.TemporaryDirectory() as folder:
        array = _resampled(Path(folder), source, spec["up"], spec["down"], spec["order"])
        roi = data.draw(aligned_rois(array.roi, array.voxel_size))
        request, pads, _ = array._source_request(roi)
    assert source.roi.contains(request)
    context = spec["order"]
    for axis, (u, s) in enumerate(zip(spec["up"], source.voxel_size, strict=True)):
        begin, end = roi.begin[axis], roi.end[axis]
        if u == 1:
            assert (request.begin[axis], request.end[axis]) == (begin, end)
            assert pads[axis] == (0, 0)
            continue
        needed_begin = begin // s * s - context * s
        needed_end = -(-end // s) * s + context * s
        assert request.begin[axis] == max(needed_begin, source.roi.begin[axis])
        assert request.end[axis] == min(needed_end, source.roi.end[axis])
        assert sum(pads[axis]) == (needed_end - needed_begin - request.shape[axis]) // s


def test_labels_are_copied_never_blended(tmp_path: Path) -> None:
    ids = np.uint64(2**63) + np.arange(4 * 6 * 6, dtype=np.uint64).reshape(4, 6, 6) * 997
    source = NumpyArray.from_np_array(
        ids, Roi((0, 0, 0), (16, 24, 24)), (4, 4, 4), ["z", "y", "x"]
    )
    down = _resampled(tmp_path / "down", source, (1, 1, 1), (2, 3, 2), 0)
    got = down[down.roi]
    np.testing.assert_array_equal(got, ids[1::2, 1::3, 1::2])  # the voxel at each centre
    up = _resampled(tmp_path / "up", source, (4, 2, 1), (1, 1, 1), False)
    np.testing.assert_array_equal(up[up.roi], ids.repeat(4, 0).repeat(2, 1))


def test_integer_results_are_rounded_not_truncated(tmp_path: Path) -> None:
    values = np.array([[[2, 3, 1, 4, 10, 11]]], np.uint8)  # means 2.5, 2.5, 10.5
    source = NumpyArray.from_np_array(
        values, Roi((0, 0, 0), (1, 1, 6)), (1, 1, 1), ["z", "y", "x"]
    )
    array = _resampled(tmp_path, source, (1, 1, 1), (1, 1, 2), 1)
    np.testing.assert_array_equal(array[array.roi], [[[2, 2, 10]]])  # half to even


def test_upsampling_replicates_the_edge_of_the_source(tmp_path: Path) -> None:
    values = np.array([[[0.0, 8.0, 16.0]]], np.float32)
    source = NumpyArray.from_np_array(
        values, Roi((0, 0, 0), (4, 4, 12)), (4, 4, 4), ["z", "y", "x"]
    )
    array = _resampled(tmp_path, source, (1, 1, 2), (1, 1, 1), 1)
    np.testing.assert_array_equal(array[array.roi], [[[0, 2, 6, 10, 14, 16]]])
    np.testing.assert_array_equal(array[Roi((0, 0, 10), (4, 4, 2))], [[[16]]])


# -- metadata, configs, errors -------------------------------------------------------------


def _config(tmp_path: Path, up, down, order=1, dtype="uint8", **truth) -> ResampledArrayConfig:
    source = numpy_truth(dtype=dtype, **truth)
    return ResampledArrayConfig(
        name="resampled",
        source_array_config=zarr_source(tmp_path, source),
        upsample=up,
        downsample=down,
        interp_order=order,
    )


def test_metadata_scale_attrs_repr_and_pickle(tmp_path: Path) -> None:
    config = _config(tmp_path, (1, 2, 1), (2, 1, 1), shape=(2, 4, 6, 6), voxel_size=(4, 4, 4))
    array = config.create_array()
    assert array.voxel_size == Coordinate(8, 2, 4)
    assert array.scale == (1.0, 0.5, 2.0, 1.0)
    assert array.num_channels == 2
    assert array.attrs == array.source_array.attrs
    assert PYRAMID_ATTR not in array.attrs
    assert repr(array).startswith("ResampledArray('resampled', voxel_size=(8, 2, 4), roi=")
    assert "upsample=(1, 2, 1), downsample=(2, 1, 1), interp_order=1, source=ZarrArray(" in repr(
        array
    )
    again = pickle.loads(pickle.dumps(array))
    np.testing.assert_array_equal(again[again.roi], array[array.roi])


def test_interp_order_accepts_the_originals_bool(tmp_path: Path) -> None:
    config = _config(tmp_path, (1, 1, 1), (1, 2, 2), order=True)
    assert config.interp_order == 1
    assert type(config.interp_order) is int
    assert attrs.evolve(config, interp_order=False).interp_order == 0
    data = config.to_dict()
    assert data["interp_order"] == 1
    data["interp_order"] = False
    assert ArrayConfig.from_dict(data).interp_order == 0  # type: ignore[attr-defined]
    assert to_interp_order(2.0) == 2
    with pytest.raises(ValueError, match=r"interp_order must be a whole number .* got 1\.5"):
        to_interp_order(1.5)


def test_zero_factors_mean_one(tmp_path: Path) -> None:
    array = _config(tmp_path, (0, 0, 2), (2, 0, 0), voxel_size=(4, 4, 4)).create_array()
    assert array.upsample == Coordinate(1, 1, 2)
    assert array.downsample == Coordinate(2, 1, 1)
    assert array.voxel_size == Coordinate(8, 4, 2)


@pytest.mark.parametrize(
    ("factors", "message"),
    [
        (
            {"up": (1, 1, 1), "down": (-2, 1, 1)},
            r"downsample \(-2, 1, 1\) has a negative factor; factors are whole numbers >= 1",
        ),
        (
            {"up": (2, 1, 1), "down": (2, 1, 1)},
            r"spatial axis 0 is both upsampled \(2\) and downsampled \(2\); resample each axis "
            r"in one direction only",
        ),
        (
            {"up": (2, 2), "down": (1, 1, 1)},
            r"upsample \(2, 2\) and downsample \(1, 1, 1\) have different lengths",
        ),
        (
            {"up": (2, 2), "down": (1, 1)},
            r"need one factor per spatial axis of the source \['z', 'y', 'x'\]",
        ),
        (
            {"up": (1, 3, 1), "down": (1, 1, 1)},
            r"upsample 3 on axis 'y' does not divide the source voxel size 4 \(voxel size 4/3 "
            r"is not whole\); use a factor that divides 4, e.g. \[2, 4\]",
        ),
        (
            {"up": (1, 1, 1), "down": (1, 1, 1), "order": 3},
            r"interp_order must be 0 \(nearest\) or 1 \(linear / block mean\), got 3",
        ),
        (
            {"up": (1, 1, 1), "down": (1, 1, 2), "dtype": "uint64"},
            r"interp_order 1 blends values, but the source \(uint64\) holds labels or a mask "
            r"\(is_labels is True\), and blending invents ids; use interp_order 0 \(nearest\)",
        ),
        (
            {"up": (1, 1, 1), "down": (1, 1, 8), "shape": (2, 2, 2)},
            r"the source ROI \[16:32, -8:0, 4:12\] \(nm\) holds no whole voxel of size "
            r"\(8, 4, 32\); use smaller factors",
        ),
    ],
)
def test_bad_factors_fail_verify_and_construction_alike(
    tmp_path: Path, factors: dict, message: str
) -> None:
    up, down = factors.pop("up"), factors.pop("down")
    config = _config(tmp_path, up, down, voxel_size=(8, 4, 4), **factors)
    if "3 on axis" in message:
        config = _config(tmp_path / "b", up, down, voxel_size=(4, 4, 4))
    ok, text = config.verify()
    assert not ok
    assert text.startswith("$ (ResampledArrayConfig 'resampled'): ")
    with pytest.raises(ConfigError, match=message) as raised:
        config.create_array()
    for line in str(raised.value).splitlines()[1:]:  # the same problems, word for word
        assert line.strip() in text
    assert re.search(message, text)


def test_verify_reports_a_source_that_cannot_be_opened(tmp_path: Path) -> None:
    missing = ZarrArrayConfig(name="raw", file_name=tmp_path / "missing.zarr", dataset="raw")
    config = ResampledArrayConfig(
        name="r",
        source_array_config=missing,
        upsample=(1, 1, 1),
        downsample=(2, 2, 2),
        interp_order=0,
    )
    ok, text = config.verify()
    assert not ok
    assert "missing.zarr" in text


def test_an_array_is_not_a_config(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match="ResampledArray is built from a ResampledArrayConfig"):
        ResampledArray(numpy_truth())  # type: ignore[arg-type]


# -- stored pyramids -------------------------------------------------------------------------


def test_matching_levels_selects_by_voxel_size() -> None:
    levels = [
        ("raw/s0", Coordinate(4, 4, 4), Coordinate(0, 0, 0)),
        ("raw/s1", Coordinate(8, 8, 8), Coordinate(2, 2, 2)),
        ("/raw/s2", Coordinate(16, 16, 16), Coordinate(6, 6, 6)),
    ]
    assert matching_levels(levels, Coordinate(8, 8, 8), "raw/s0") == ["raw/s1"]
    assert matching_levels(levels, Coordinate(16, 16, 16), "raw/s0") == ["/raw/s2"]
    assert matching_levels(levels, Coordinate(4, 4, 4), "/raw/s0/") == []
    assert matching_levels([], Coordinate(8, 8, 8), "raw/s0") == []


def test_reads_a_stored_pyramid_level(tmp_path: Path) -> None:
    """Needs ZarrArray.multiscale_levels and OME-NGFF writing (the zarr issue)."""
    container = tmp_path / "pyramid.zarr"
    levels = {}
    for path, voxel in (("raw/s0", 4), ("raw/s1", 8)):
        levels[path] = ZarrArray.create_from_array_identifier(
            ArrayIdentifier(container, path),
            ["z", "y", "x"],
            Roi((0, 0, 0), (64, 64, 64)),
            None,
            (voxel,) * 3,
            "uint8",
        )
    levels["raw/s0"][levels["raw/s0"].roi] = random_volume((16, 16, 16), "uint8")
    stored = (random_volume((8, 8, 8), "uint8", 1) + 100).astype(np.uint8)  # not the means
    levels["raw/s1"][levels["raw/s1"].roi] = stored
    source = ZarrArrayConfig(name="raw", file_name=container, dataset="raw/s0")
    config = ResampledArrayConfig(
        name="raw_8nm",
        source_array_config=source,
        upsample=(1, 1, 1),
        downsample=(2, 2, 2),
        interp_order=1,
    )
    # By default the same config means the same (computed) voxels, pyramid or not.
    assert PYRAMID_ATTR not in config.create_array().attrs
    opted = attrs.evolve(config, use_pyramid=True)
    assert PYRAMID_ATTR not in opted.create_array().attrs  # s1 records no method
    levels["raw/s1"].add_metadata({PYRAMID_METHOD_ATTR: "mode"})
    assert PYRAMID_ATTR not in opted.create_array().attrs  # mode is not a block mean
    levels["raw/s1"].add_metadata({PYRAMID_METHOD_ATTR: "mean"})
    config = opted
    array = config.create_array()
    assert array.attrs[PYRAMID_ATTR] == "raw/s1"
    assert "read from pyramid level 'raw/s1'" in repr(array)
    np.testing.assert_array_equal(array[array.roi], stored)
    np.testing.assert_array_equal(array[Roi((8, 16, 24), (16, 8, 8))], stored[1:3, 2:3, 3:4])
    computed = attrs.evolve(config, downsample=(4, 4, 4)).create_array()  # no s2 stored
    assert PYRAMID_ATTR not in computed.attrs
    assert computed[computed.roi].max() < 20


def test_the_mean_is_divided_once() -> None:
    """Dividing axis by axis in float32 gave 109 here: an exact 108.5, pushed over."""
    block = np.array([[215, 34, 34, 163], [219, 72, 53, 22], [67, 213, 46, 164]], np.uint8)
    assert block.astype(np.float64).mean() == 108.5
    np.testing.assert_array_equal(downsample_mean(block, (3, 4)), [[108]])
