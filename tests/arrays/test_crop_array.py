from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    BinarizeArrayConfig,
    ConfigError,
    CropArray,
    CropArrayConfig,
    GeometryError,
    ROIError,
    VirtualArrayError,
    ZarrArrayConfig,
)
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import DTYPES, aligned_rois, fixture_settings
from dacapo_arrays.testing.virtual import numpy_sources, recorded_reads, stored

UNUSED = ZarrArrayConfig(name="raw", file_name="never-opened.zarr", dataset="raw")
FIXTURES = fixture_settings(40)


def crop_of(source: ArrayConfig, roi: Roi) -> CropArrayConfig:
    return CropArrayConfig(name="crop", source_array_config=source, roi=roi)


@st.composite
def overlapping_rois(draw: st.DrawFn, within: Roi, voxel: Coordinate) -> Roi:
    """An aligned ROI that overlaps ``within`` and may stick out of it on any side."""
    inside = draw(aligned_rois(within, voxel))
    grow_begin = Coordinate(draw(st.lists(st.integers(0, 3), min_size=3, max_size=3))) * voxel
    grow_end = Coordinate(draw(st.lists(st.integers(0, 3), min_size=3, max_size=3))) * voxel
    return Roi(inside.begin - grow_begin, inside.shape + grow_begin + grow_end)


@FIXTURES
@given(data=st.data())
def test_roi_is_the_intersection_and_reads_are_the_sources(
    tmp_path: Path, data: st.DataObject
) -> None:
    source = data.draw(
        numpy_sources(st.sampled_from(DTYPES), channels=st.one_of(st.none(), st.integers(2, 3)))
    )
    crop_roi = data.draw(overlapping_rois(source.roi, source.voxel_size))
    array = crop_of(stored(tmp_path, source), crop_roi).create_array()
    assert array.roi == crop_roi.intersect(source.roi)
    assert array.crop_roi == crop_roi
    roi = data.draw(aligned_rois(array.roi, array.voxel_size))
    got = array[roi]
    assert got.dtype == source.dtype
    np.testing.assert_array_equal(got, source[roi])


def test_properties(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(2, 4, 5, 6), dtype="int16", voxel_size=(2, 2, 2), offset=(0, 0, 0))
    array = crop_of(zarr_source(tmp_path, truth, name="raw"), Roi((2, 2, 2), (4, 4, 4)))
    array = array.create_array()
    assert isinstance(array, CropArray)
    assert array.name == "crop"
    assert array.roi == Roi((2, 2, 2), (4, 4, 4))
    assert array.shape == (2, 2, 2, 2)
    assert array.axes == truth.axes
    assert array.dtype == np.int16
    assert array.num_channels == 2
    assert array.voxel_size == truth.voxel_size
    assert array.attrs == array.source_array.attrs
    assert not array.writable
    with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
        array.data  # noqa: B018


def test_reads_only_the_requested_roi_and_nothing_outside(tmp_path: Path) -> None:
    source = stored(tmp_path, numpy_truth(), name="raw")  # ROI [16:64, -8:32, 4:52]
    array = crop_of(source, Roi((24, 0, 8), (24, 16, 24))).create_array()
    roi = Roi((32, 4, 12), (8, 8, 8))
    with recorded_reads() as requests:
        array[roi]
        with pytest.raises(ROIError, match=r"is not inside array 'crop' \(ROI \[24:48, 0:16"):
            array[Roi((16, 0, 8), (8, 4, 4))]  # inside the source, outside the crop
    assert requests == [("raw", roi)]


def test_channels_come_from_the_source(tmp_path: Path) -> None:
    labels = stored(tmp_path, numpy_truth(dtype="uint64"), name="labels")
    binarized = BinarizeArrayConfig(
        name="gt", source_array_config=labels, groupings=[("mito", [1]), ("er", [2])]
    )
    array = crop_of(binarized, Roi((24, 0, 8), (8, 8, 8))).create_array()
    assert list(array.channels) == ["mito", "er"]
    plain = crop_of(labels, Roi((24, 0, 8), (8, 8, 8))).create_array()
    assert not hasattr(plain, "channels")
    with pytest.raises(
        AttributeError, match="CropArray 'crop' has no channel names: its source ZarrArray"
    ):
        plain.channels  # noqa: B018


@pytest.mark.parametrize(
    ("roi", "message"),
    [
        (
            Roi((0, 0), (8, 8)),
            r"crop roi \[0:8, 0:8\] \(nm\) of CropArray 'crop' has 2 dimensions, but ZarrArray "
            r"'raw' \(ROI \[16:64, -8:32, 4:52\] \(nm\), voxel size \(8, 4, 4\)\) has 3; give one "
            r"offset and one shape entry per spatial axis \['z', 'y', 'x'\]",
        ),
        (
            Roi((20, 0, 8), (8, 8, 8)),
            r"crop roi \[20:28, 0:8, 8:16\] \(nm\) of CropArray 'crop' is not aligned with the "
            r"voxel size of ZarrArray 'raw' .*; snap it with roi.snap_to_grid\(\(8, 4, 4\)\)",
        ),
        (
            Roi((16, 0, 8), (8, 6, 8)),
            r"is not aligned with the voxel size of ZarrArray 'raw'",
        ),
        (
            Roi((80, 0, 8), (8, 8, 8)),
            r"crop roi \[80:88, 0:8, 8:16\] \(nm\) of CropArray 'crop' does not overlap ZarrArray "
            r"'raw' \(ROI \[16:64, -8:32, 4:52\] \(nm\), voxel size \(8, 4, 4\)\); choose a roi "
            r"inside the source's ROI",
        ),
        (Roi((64, 0, 8), (8, 8, 8)), r"does not overlap ZarrArray 'raw'"),  # touching only
    ],
)
def test_bad_crops_are_refused_when_built(tmp_path: Path, roi: Roi, message: str) -> None:
    config = crop_of(zarr_source(tmp_path, numpy_truth(), name="raw"), roi)
    ok, text = config.verify()  # the one build walk finds what building raises
    assert not ok
    assert text.startswith("$ (CropArrayConfig 'crop'): ")
    assert re.search(message, text)
    with pytest.raises(ROIError, match=message):
        config.create_array()


def test_an_empty_roi_fails_verify_and_construction() -> None:
    config = crop_of(UNUSED, Roi((0, 0, 0), (8, 0, 8)))
    assert config.verify() == (
        False,
        "$ (CropArrayConfig 'crop'): roi [0, 0, 0], shape [8, 0, 8] is empty; give every axis "
        "a positive size\n$.source_array_config (ZarrArrayConfig 'raw'): container "
        "'never-opened.zarr' does not exist; check ZarrArrayConfig.file_name of ZarrArray 'raw'",
    )
    with pytest.raises(ConfigError, match=r"cannot build CropArray 'crop': roi \[0, 0, 0\]"):
        config.create_array()  # refused before the (missing) source is opened


@pytest.mark.parametrize(
    ("roi", "message"),
    [
        (((0, 0, 0), (8, -8, 8)), r"roi shape must not be negative; got \(8, -8, 8\)"),
        (((0, 0, 0.5), (8, 8, 8)), "would be truncated"),
        ("0:8", r"roi must be a Roi or an \(offset, shape\) pair; got '0:8'"),
    ],
)
def test_malformed_rois_are_refused_by_the_config(roi: object, message: str) -> None:
    with pytest.raises(GeometryError, match=message):
        crop_of(UNUSED, roi)  # type: ignore[arg-type]


def test_round_trip_of_an_original_style_roi() -> None:
    config = crop_of(UNUSED, Roi((-8, 0, 16), (64, 64, 64)))
    assert config.to_dict()["roi"] == [[-8, 0, 16], [64, 64, 64]]
    assert ArrayConfig.from_dict(config.to_dict()) == config
