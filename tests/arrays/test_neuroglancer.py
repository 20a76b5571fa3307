"""Neuroglancer hooks of every array: layer type, dimensions, offsets, shader, lazy serving.

The expected layer type is stated here by dtype and channels, so the same checks cover every
kind: ``test_every_case_gives_a_consistent_layer`` runs on all conformance cases, and a
multi-channel ``NumpyArray`` stands in for binarize/concat/mask arrays.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path
from typing import Any

import neuroglancer
import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import given, settings
from hypothesis import strategies as st
from neuroglancer.local_volume import MeshesNotSupportedForVolume

from dacapo.experiments.datasplits.datasets.arrays import (
    Array,
    DummyArrayConfig,
    NotViewableError,
    NumpyArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._neuroglancer import (
    SAMPLE_SIDE,
    channel_colors,
    data_range,
)
from dacapo.experiments.datasplits.datasets.arrays.array import ArraySpec
from dacapo_arrays.testing import Case, all_cases
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import random_volume, voxel_sizes

#: What neuroglancer receives for dtypes it cannot take (images; labels are bit-cast).
SERVED = {"bool": "uint8", "float16": "float32", "float64": "float32"}


class RecordingArray(NumpyArray):
    """A NumpyArray that remembers every ROI it was asked for."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.reads: list[Roi] = []

    def _read(self, roi: Roi) -> np.ndarray:
        self.reads.append(roi)
        return super()._read(roi)


class Procedural(Array):
    """A uint8 volume of 2**60 voxels, computed from coordinates; it records every read."""

    name = "procedural"
    side = 2**20

    def __init__(self) -> None:
        self.reads: list[Roi] = []
        self.spec = ArraySpec(
            ["z", "y", "x"], Coordinate(4, 4, 4), Roi((0, 0, 0), (4 * self.side,) * 3), "uint8"
        )

    data = property(lambda self: None)

    def _read(self, roi: Roi) -> np.ndarray:
        self.reads.append(roi)
        z, y, x = np.ogrid[
            tuple(slice(b // 4, e // 4) for b, e in zip(roi.begin, roi.end, strict=True))
        ]
        return ((z + 2 * y + 3 * x) % 256).astype(np.uint8)  # type: ignore[no-any-return]


def expected_layer_type(array: Array) -> type:
    if array.num_channels is None and array.is_labels is True:
        return neuroglancer.SegmentationLayer
    return neuroglancer.ImageLayer


def read_chunk(
    volume: neuroglancer.LocalVolume, start: Any, end: Any, scale: str | None = None
) -> np.ndarray:
    """A chunk exactly as the server sends it (npz encoding), decoded."""
    rank = len(volume.shape)
    data, _ = volume.get_encoded_subvolume(
        data_format="npz",
        start=np.asarray(start, dtype=np.int64),
        end=np.asarray(end, dtype=np.int64),
        scale_key=scale or ",".join(["1"] * rank),
    )
    return np.load(io.BytesIO(zlib.decompress(data)))


def served(values: np.ndarray, array: Array) -> np.ndarray:
    """``values`` as neuroglancer receives them for ``array``."""
    if array.num_channels is None and array.is_labels is True:
        if values.dtype == bool:
            return values.astype(np.uint8)
        return values.view(values.dtype.str.replace("i", "u"))
    if values.dtype.kind in "iu" and values.dtype.itemsize == 8:
        return values.astype(np.float32)
    return values.astype(SERVED.get(str(values.dtype), values.dtype))


def numpy_array(
    dtype: str = "uint8",
    channels: int | None = None,
    shape: tuple[int, ...] = (4, 6, 8),
    voxel_size: tuple[int, ...] = (8, 4, 4),
    offset: tuple[int, ...] = (16, -8, 4),
    *,
    cls: type[NumpyArray] = NumpyArray,
) -> NumpyArray:
    full = shape if channels is None else (channels, *shape)
    axes = ["z", "y", "x"][-len(shape) :]
    roi = Roi(offset, Coordinate(shape) * Coordinate(voxel_size))
    return cls(
        random_volume(full, dtype), roi, voxel_size, axes if channels is None else ["c", *axes]
    )


# -- layer type and shader, by dtype and channels ------------------------------------------


@pytest.mark.parametrize("channels", [None, 1, 3])
@pytest.mark.parametrize(
    "dtype",
    [
        *("bool", "uint8", "int8", "uint16", "int16", "uint32", "int32", "uint64", "int64"),
        *("float16", "float32", "float64"),
    ],
)
def test_layer_type_follows_dtype_and_channels(dtype: str, channels: int | None) -> None:
    array = numpy_array(dtype, channels)
    assert array._can_neuroglance()
    layer, kwargs = array._neuroglancer_layer()
    assert type(layer) is expected_layer_type(array)
    assert kwargs == {"visible": True}
    if isinstance(layer, neuroglancer.SegmentationLayer):
        return
    if channels is None:
        assert "emitGrayscale(normalized())" in layer.shader
        assert layer.opacity == 1.0
    else:
        for i in range(channels):
            assert f"channel=[{i}]" in layer.shader
            assert f"color{i} color(" in layer.shader
        assert "emitRGBA" in layer.shader
        assert layer.opacity == 0.5


def test_layer_can_be_added_to_a_viewer_state() -> None:
    """The pair is the same shape for every array: ``append(name=, layer=, **kwargs)``."""
    state = neuroglancer.ViewerState()
    for array in (numpy_array("uint8"), numpy_array("uint64"), numpy_array("uint8", 2)):
        layer, kwargs = array._neuroglancer_layer()
        state.layers.append(name=f"a{len(state.layers)}", layer=layer, **kwargs)
    assert [type(managed.layer) for managed in state.layers] == [
        neuroglancer.ImageLayer,
        neuroglancer.SegmentationLayer,
        neuroglancer.ImageLayer,
    ]


def test_shader_ranges_come_from_the_data() -> None:
    layer, _ = numpy_array("float32")._neuroglancer_layer()  # random values in [0, 1)
    assert "#uicontrol invlerp normalized(range=[0, 1])" in layer.shader
    layer, _ = numpy_array("uint8", 2)._neuroglancer_layer()  # labels 0..19
    assert "range=[0, 255], channel=[1]" in layer.shader


@pytest.mark.parametrize("n", range(1, 13))
def test_channel_colours_are_distinct(n: int) -> None:
    colors = channel_colors(n)
    assert len(colors) == len(set(colors)) == n
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in colors)
    if n == 3:
        assert colors == ["#ff0000", "#00ff00", "#0000ff"]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            np.full((4, 4, 4), 30, np.uint8) + np.arange(64, dtype=np.uint8).reshape(4, 4, 4),
            (0, 255),
        ),
        ((np.arange(64) % 2).astype(np.uint8).reshape(4, 4, 4), (0, 1)),
        (np.arange(64).reshape(4, 4, 4) % 2 == 0, (0, 1)),
        (np.linspace(0, 1, 64, dtype=np.float32).reshape(4, 4, 4), (0, 1)),
        (np.linspace(-1, 1, 64).reshape(4, 4, 4), (-1, 1)),
        (np.linspace(100, 1100, 64).astype(np.uint16).reshape(4, 4, 4), (105, 1095)),
        (np.full((4, 4, 4), 7, np.uint16), (7, 8)),
        (np.full((4, 4, 4), np.nan, np.float32), (0, 1)),
    ],
    ids=["uint8", "mask", "bool", "probabilities", "signed", "uint16", "constant", "nan"],
)
def test_data_range(values: np.ndarray, expected: tuple[float, float]) -> None:
    low, high = data_range(NumpyArray(values))
    assert low == pytest.approx(expected[0], abs=1)
    assert high == pytest.approx(expected[1], abs=1)


def test_data_range_reads_one_central_block() -> None:
    array = numpy_array("uint16", shape=(8, 200, 100), voxel_size=(1, 1, 1), cls=RecordingArray)
    data_range(array)
    assert array.reads == [Roi((16, 60, 22), (8, SAMPLE_SIDE, SAMPLE_SIDE))]


def test_unshowable_arrays_raise() -> None:
    array = NumpyArray(np.zeros((2, 3, 4), dtype=np.complex64))
    assert not array._can_neuroglance()
    with pytest.raises(
        NotViewableError,
        match=r"NumpyArray cannot be shown in neuroglancer: its dtype is complex64 with 3 "
        r"spatial dimensions; only bool, integer and float arrays",
    ):
        array._neuroglancer_layer()
    assert issubclass(NotViewableError, TypeError)


# -- dimensions and offsets -----------------------------------------------------------------


def test_dimensions_carry_names_units_and_voxel_sizes() -> None:
    array = numpy_array("uint8", 3, voxel_size=(40, 8, 4), offset=(40, -8, 4))
    dims = array._output_dimensions()
    assert dims.names == ("c^", "z", "y", "x")
    assert dims.units == ("", "m", "m", "m")  # neuroglancer stores nm as 1e-9 m
    np.testing.assert_allclose(dims.scales, [1, 40e-9, 8e-9, 4e-9])
    source = array._neuroglancer_source()
    assert source.dimensions.to_json() == dims.to_json()
    assert source.volume_type == "image"
    assert tuple(source.shape) == array.shape


@settings(max_examples=30, deadline=None)
@given(
    voxel_size=voxel_sizes(3, max_size=9),
    offset=st.lists(st.integers(-5, 5), min_size=3, max_size=3),
    channels=st.sampled_from([None, 2]),
)
def test_transform_places_voxel_zero_at_the_roi_begin(
    voxel_size: Coordinate, offset: list[int], channels: int | None
) -> None:
    begin = Coordinate(offset) * voxel_size
    array = numpy_array("uint16", channels, voxel_size=tuple(voxel_size), offset=tuple(begin))
    matrix = np.asarray(array._transform_matrix())
    rank = len(array.axes)
    assert matrix.shape == (rank, rank + 1)
    np.testing.assert_array_equal(matrix[:, :rank], np.eye(rank))
    translation = matrix[-3:, rank] * np.asarray(voxel_size)  # world nm of voxel 0
    np.testing.assert_array_equal(translation, np.asarray(begin))
    if channels is not None:
        assert matrix[0, rank] == 0


def test_layer_source_uses_the_transform() -> None:
    array = numpy_array("uint64", offset=(16, -8, 4))
    layer, _ = array._neuroglancer_layer()
    transform = layer.source[0].transform
    np.testing.assert_array_equal(transform.matrix, array._transform_matrix())
    assert transform.output_dimensions.to_json() == array._output_dimensions().to_json()
    assert layer.source[0].url.volume_type == "segmentation"


# -- lazy serving ---------------------------------------------------------------------------


def test_chunks_are_served_by_reading_just_their_roi() -> None:
    array = numpy_array(
        "uint8", shape=(10, 20, 30), voxel_size=(8, 4, 2), offset=(80, 40, 20), cls=RecordingArray
    )
    volume = array._neuroglancer_source()
    assert array.reads == []  # building the source reads nothing
    chunk = read_chunk(volume, (2, 5, 10), (4, 15, 12))
    assert array.reads == [Roi((96, 60, 40), (16, 40, 4))]
    np.testing.assert_array_equal(chunk, array.data[2:4, 5:15, 10:12])


def test_a_volume_too_big_to_load_is_served_chunk_by_chunk() -> None:
    array = Procedural()
    layer, _ = array._neuroglancer_layer()
    side = Procedural.side
    middle = side // 2 * 4
    assert array.reads == [Roi((middle - 128,) * 3, (4 * SAMPLE_SIDE,) * 3)]  # contrast sample
    volume = layer.source[0].url
    assert tuple(volume.shape) == (side,) * 3
    start = (side // 3, side // 5, side - 64)
    chunk = read_chunk(volume, start, tuple(s + 32 for s in start))
    assert array.reads[1:] == [Roi(tuple(4 * s for s in start), (128, 128, 128))]
    z, y, x = start
    assert chunk[0, 0, 0] == (z + 2 * y + 3 * x) % 256


def test_downsampled_chunks_read_only_their_footprint() -> None:
    array = numpy_array(
        "float32", shape=(8, 16, 16), voxel_size=(4, 4, 4), offset=(0, 0, 0), cls=RecordingArray
    )
    volume = array._neuroglancer_source()
    chunk = read_chunk(volume, (0, 2, 2), (2, 4, 4), scale="2,2,2")
    assert array.reads == [Roi((0, 16, 16), (16, 16, 16))]
    expected = array.data[0:4, 4:8, 4:8].reshape(2, 2, 2, 2, 2, 2).mean(axis=(1, 3, 5))
    np.testing.assert_allclose(chunk, expected, rtol=1e-6)


def test_channel_chunks_slice_the_channels() -> None:
    array = numpy_array("uint16", 3, shape=(4, 6, 8), cls=RecordingArray)
    chunk = read_chunk(array._neuroglancer_source(), (1, 0, 2, 2), (3, 2, 4, 6))
    np.testing.assert_array_equal(chunk, array.data[1:3, 0:2, 2:4, 2:6])


@pytest.mark.parametrize(
    ("dtype", "channels", "served_as"),
    [
        ("int64", None, "uint64"),
        ("int32", None, "uint32"),
        ("bool", None, "uint8"),
        ("float64", None, "float32"),
        ("float16", None, "float32"),
        ("uint64", 2, "float32"),
        ("int16", None, "int16"),
    ],
)
def test_dtypes_neuroglancer_cannot_take_are_converted(
    dtype: str, channels: int | None, served_as: str
) -> None:
    array = numpy_array(dtype, channels)
    if dtype == "int64":
        array.data[0, 0, 0] = -1
    volume = array._neuroglancer_source()
    assert volume.data_type == served_as
    whole = read_chunk(volume, (0,) * len(array.shape), array.shape)
    assert whole.dtype == np.dtype(served_as)
    np.testing.assert_array_equal(whole, served(array.data, array))
    if dtype == "int64":
        assert whole[0, 0, 0] == 2**64 - 1  # the id's bit pattern, as neuroglancer expects


def test_meshes_are_refused_rather_than_loading_the_volume() -> None:
    volume = numpy_array("uint64")._neuroglancer_source()
    with pytest.raises(MeshesNotSupportedForVolume):
        volume.get_object_mesh(1)


# -- the kinds in this worktree, and every conformance case ---------------------------------


def test_dummy_array() -> None:
    array = DummyArrayConfig(name="dummy").create_array()
    layer, _ = array._neuroglancer_layer()
    assert isinstance(layer, neuroglancer.ImageLayer)
    assert array._source_name() == "dummy"
    np.testing.assert_allclose(array._output_dimensions().scales, [1e-9, 2e-9, 2e-9])
    assert np.asarray(array._transform_matrix())[:, 3].tolist() == [0, 0, 0]


def test_zarr_arrays_inherit_the_hooks(tmp_path: Path) -> None:
    raw = numpy_truth((6, 10, 12), "uint8", voxel_size=(8, 4, 4), offset=(16, -8, 8))
    labels = numpy_truth((3, 5, 6), "uint64", voxel_size=(16, 8, 8), offset=(16, -8, 8))
    for truth, name, layer_type in [
        (raw, "raw", neuroglancer.ImageLayer),
        (labels, "labels", neuroglancer.SegmentationLayer),
    ]:
        array = zarr_source(tmp_path, truth, name=name).create_array()
        layer, _ = array._neuroglancer_layer()
        assert isinstance(layer, layer_type)
        assert array._source_name() == name
        np.testing.assert_allclose(
            array._output_dimensions().scales, np.asarray(truth.voxel_size) * 1e-9
        )
        np.testing.assert_allclose(
            np.asarray(array._transform_matrix())[:, 3],
            np.asarray(truth.roi.begin) / np.asarray(truth.voxel_size),
        )
    # Both land on the same world box although their voxel sizes differ.
    assert raw.roi == labels.roi


def test_snapped_zarr_is_served_from_its_roi(tmp_path: Path) -> None:
    truth = numpy_truth((6, 10, 12), "uint8", voxel_size=(8, 4, 4), offset=(16, -8, 4))
    stored = zarr_source(tmp_path, truth, name="raw")
    config = ZarrArrayConfig(
        name="snapped", file_name=stored.file_name, dataset=stored.dataset, snap_to_grid=(16, 8, 8)
    )
    array = config.create_array()
    assert array.roi.begin != truth.roi.begin
    volume = array._neuroglancer_source()
    chunk = read_chunk(volume, (0, 0, 0), array.shape)
    np.testing.assert_array_equal(chunk, truth[array.roi])
    np.testing.assert_allclose(
        np.asarray(array._transform_matrix())[:, 3] * np.asarray(array.voxel_size),
        np.asarray(array.roi.begin),
    )


CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_every_case_gives_a_consistent_layer(case: Case, tmp_path: Path) -> None:
    config, truth = case.make(tmp_path)
    array = config.create_array()
    assert array._can_neuroglance()
    layer, kwargs = array._neuroglancer_layer()
    assert type(layer) is expected_layer_type(array)  # the array's is_labels, not the truth's
    assert kwargs == {"visible": True}
    names = ["c^" if a == "c" else a for a in truth.axes]
    assert list(array._output_dimensions().names) == names
    matrix = np.asarray(array._transform_matrix())
    np.testing.assert_allclose(
        matrix[-truth.dims :, -1] * np.asarray(truth.voxel_size), np.asarray(truth.roi.begin)
    )
    whole = read_chunk(array._neuroglancer_source(), (0,) * len(truth.shape), truth.shape)
    np.testing.assert_array_equal(whole, served(truth[truth.roi], array))
