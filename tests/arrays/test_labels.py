"""``Array.is_labels``: one rule (config, metadata, kind, dtype), on real stores and kinds."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import tifffile
from funlib.geometry import Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    BinarizeArrayConfig,
    ConcatArrayConfig,
    ConfigError,
    ConstantArrayConfig,
    CropArrayConfig,
    DVIDArrayConfig,
    IntensitiesArrayConfig,
    LogicalOrArrayConfig,
    MergeInstancesArrayConfig,
    NumpyArray,
    OnesArray,
    ResampledArrayConfig,
    SumArrayConfig,
    TiffArrayConfig,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._labels import (
    agreed,
    labels_by_attributes,
    labels_by_dtype,
)
from dacapo_arrays.testing.dvid_server import shared_server
from dacapo_arrays.testing.sources import numpy_truth, zarr_source

ALL_DTYPES = [
    "bool",
    "int8",
    "uint8",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "int64",
    "uint64",
    "float16",
    "float32",
    "float64",
]
EXPECTED_BY_DTYPE = {
    "bool": True,
    "int32": True,
    "uint32": True,
    "int64": True,
    "uint64": True,
    "float16": False,
    "float32": False,
    "float64": False,
}


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_dtype_rule(dtype: str) -> None:
    """Only unambiguous dtypes decide; 8- and 16-bit integers hold EM as often as ids."""
    assert labels_by_dtype(dtype) is EXPECTED_BY_DTYPE.get(dtype)
    plain = NumpyArray.from_np_array(
        np.zeros((2, 2), dtype), Roi((0, 0), (2, 2)), (1, 1), ["y", "x"]
    )
    assert plain.is_labels is EXPECTED_BY_DTYPE.get(dtype)


@given(st.lists(st.sampled_from([True, False, None]), min_size=1, max_size=5))
def test_agreed_is_the_common_answer_or_none(answers: list[bool | None]) -> None:
    expected = answers[0] if all(a is answers[0] for a in answers) else None
    assert agreed(answers) is expected


@pytest.mark.parametrize(
    ("nodes", "expected"),
    [
        ([{"image-label": {"version": "0.4"}}], True),  # OME-NGFF 0.4 label image group
        ([{}, {"ome": {"version": "0.5", "image-label": {}}}], True),  # 0.5, on the parent
        ([{}, {}, {"labels": ["nuclei"]}], True),  # the OME-NGFF labels group
        ([{"labels": [{"value": 3, "name": {"short": "mito"}}]}], True),  # DaCapo label list
        ([{"cellmap": {"annotation": {"class_name": "mito"}}}], True),  # CellMap annotation
        ([{}, {"omero": {"channels": []}, "multiscales": []}], False),  # an OME image
        ([{}, {"ome": {"omero": {}}}], False),
        ([{"image-label": {}}, {"omero": {}}], True),  # nearest first
        ([{"resolution": [4, 4, 4]}, {"multiscales": []}], None),
        ([{"labels": "not a list"}, {"cellmap": "not a mapping"}], None),
    ],
)
def test_metadata_rule(nodes: list[dict[str, object]], expected: bool | None) -> None:
    assert labels_by_attributes(nodes) is expected


# -- stored kinds: a real zarr container with OME-NGFF groups written as ome-zarr-py writes them


def _ome_zarr_image(folder: Path) -> Path:
    """An OME-NGFF 0.4 image with a label image, laid out as ome-zarr-py writes it."""
    root = folder / "image.zarr"
    truth = numpy_truth((4, 6, 8), "uint8", voxel_size=(1, 1, 1), offset=(0, 0, 0))
    for dataset in ("0", "labels/cells/0"):
        zarr_source(folder, truth, container="image.zarr", dataset=dataset)
    axes = [{"name": a, "type": "space", "unit": "nanometer"} for a in "zyx"]
    multiscales = [
        {
            "version": "0.4",
            "axes": axes,
            "datasets": [
                {"path": "0", "coordinateTransformations": [{"type": "scale", "scale": [1, 1, 1]}]}
            ],
        }
    ]
    omero = {"channels": [{"window": {"start": 0, "end": 255, "min": 0, "max": 255}}]}
    attributes = {
        root: {"multiscales": multiscales, "omero": omero},
        root / "labels": {"labels": ["cells"]},
        root / "labels" / "cells": {
            "multiscales": multiscales,
            "image-label": {"version": "0.4", "colors": [{"label-value": 1, "rgba": [255] * 4}]},
        },
    }
    for group, attrs in attributes.items():
        (group / ".zgroup").write_text(json.dumps({"zarr_format": 2}))
        (group / ".zattrs").write_text(json.dumps(attrs))
    for dataset in ("0", "labels/cells/0"):
        (root / dataset / ".zattrs").unlink(missing_ok=True)  # as ome-zarr-py: no array attrs
    return root


def test_ome_ngff_image_and_label_image(tmp_path: Path) -> None:
    root = _ome_zarr_image(tmp_path)
    image = ZarrArrayConfig(name="raw", file_name=root, dataset="0").create_array()
    cells = ZarrArrayConfig(name="cells", file_name=root, dataset="labels/cells/0").create_array()
    assert (image.dtype, cells.dtype) == (np.dtype("uint8"), np.dtype("uint8"))
    assert (image.is_labels, cells.is_labels) == (False, True)


@pytest.mark.parametrize("declared", [True, False])
def test_the_config_overrides_metadata_and_dtype(tmp_path: Path, declared: bool) -> None:
    root = _ome_zarr_image(tmp_path)
    for dataset in ("0", "labels/cells/0"):
        config = ZarrArrayConfig(name="x", file_name=root, dataset=dataset, is_labels=declared)
        array = config.create_array()
        assert array.is_labels is declared
        assert pickle.loads(pickle.dumps(array)).is_labels is declared
        assert ZarrArrayConfig.from_dict(config.to_dict()) == config


def test_plain_uint8_zarr_is_unknown_and_uint64_is_labels(tmp_path: Path) -> None:
    for dtype, expected in (("uint8", None), ("uint64", True), ("float32", False)):
        config = zarr_source(tmp_path, numpy_truth(dtype=dtype), dataset=dtype)
        assert config.create_array().is_labels is expected


def test_is_labels_must_be_a_bool_or_left_out(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"is_labels must be true .* got 'yes'"):
        ZarrArrayConfig(name="x", file_name=tmp_path, dataset="d", is_labels="yes")  # type: ignore[arg-type]
    data = {
        "__type__": "ZarrArrayConfig",
        "name": "x",
        "file_name": str(tmp_path),
        "dataset": "d",
        "is_labels": 1,
    }
    with pytest.raises(ConfigError, match=r"expected true or false, got 1"):
        ZarrArrayConfig.from_dict(data)


def test_tiff_says_nothing_so_dtype_or_config_decide(tmp_path: Path) -> None:
    path = tmp_path / "stack.tif"
    tifffile.imwrite(path, np.zeros((3, 4, 5), np.uint16), photometric="minisblack")
    assert TiffArrayConfig(name="t", file_name=path).create_array().is_labels is None
    declared = TiffArrayConfig(name="t", file_name=path, is_labels=True)
    assert declared.create_array().is_labels is True


@pytest.mark.parametrize(
    ("type_name", "dtype", "expected"),
    [("labelmap", "uint64", True), ("uint8blk", "uint8", False), ("labelblk", "uint64", True)],
)
def test_dvid_instance_type_decides(type_name: str, dtype: str, expected: bool) -> None:
    truth = numpy_truth((2, 3, 4), dtype, voxel_size=(8, 8, 8), offset=(0, 0, 0))
    source = shared_server().add(truth.data, type_name=type_name, voxel_size=(8.0, 8.0, 8.0))
    assert DVIDArrayConfig(name="d", source=source).create_array().is_labels is expected
    flipped = DVIDArrayConfig(name="d", source=source, is_labels=not expected)
    assert flipped.create_array().is_labels is (not expected)


# -- computed kinds: what the computation produces


@pytest.fixture
def stored(tmp_path: Path) -> dict[str, ZarrArrayConfig]:
    """uint8 (unknown), uint64 (labels) and float32 (intensities) sources on disk."""
    return {
        dtype: zarr_source(tmp_path, numpy_truth(dtype=dtype), name=dtype, dataset=dtype)
        for dtype in ("uint8", "uint64", "float32")
    }


def test_kinds_that_make_labels_or_masks(stored: dict[str, ZarrArrayConfig]) -> None:
    ids = stored["uint8"]  # unknown itself: the kind decides
    configs = [
        BinarizeArrayConfig(name="b", source_array_config=ids, groupings=[("a", [1])]),
        MergeInstancesArrayConfig(name="m", source_array_configs=[ids, ids]),
        LogicalOrArrayConfig(
            name="o",
            source_array_config=BinarizeArrayConfig(
                name="b", source_array_config=ids, groupings=[("a", [1]), ("b", [2])]
            ),
        ),
    ]
    for config in configs:
        assert config.create_array().is_labels is True, config.name
    assert OnesArray(ids.create_array()).is_labels is True


def _halved(source: ArrayConfig, order: int) -> ResampledArrayConfig:
    return ResampledArrayConfig(
        name="r", source_array_config=source, upsample=(1, 1, 1), downsample=(2, 2, 2),
        interp_order=order,
    )  # fmt: skip


def test_kinds_that_make_intensities(stored: dict[str, ZarrArrayConfig]) -> None:
    labels = stored["uint64"]
    normalized = IntensitiesArrayConfig(name="i", source_array_config=labels, min=0, max=9)
    assert normalized.create_array().is_labels is False
    linear = _halved(stored["uint8"], order=1)
    assert linear.create_array().is_labels is False


@pytest.mark.parametrize("dtype", ["uint8", "uint64", "float32"])
def test_kinds_that_keep_their_source_s_answer(
    stored: dict[str, ZarrArrayConfig], dtype: str
) -> None:
    source = stored[dtype]
    expected = source.create_array().is_labels
    nearest = _halved(source, order=0)
    crop = CropArrayConfig(name="c", source_array_config=source, roi=Roi((16, -8, 4), (8, 8, 8)))
    for config in (nearest, crop):
        assert config.create_array().is_labels is expected


def test_multi_source_kinds_agree_or_say_unknown(stored: dict[str, ZarrArrayConfig]) -> None:
    same = SumArrayConfig(name="s", source_array_configs=[stored["uint64"], stored["uint64"]])
    mixed = SumArrayConfig(name="s", source_array_configs=[stored["uint64"], stored["float32"]])
    assert (same.create_array().is_labels, mixed.create_array().is_labels) == (True, None)
    concat = ConcatArrayConfig(
        name="c",
        channels=["a", "b"],
        source_array_configs={"a": stored["float32"], "b": stored["float32"]},
    )
    assert concat.create_array().is_labels is False


def test_constant_follows_its_own_dtype(stored: dict[str, ZarrArrayConfig]) -> None:
    labels = stored["uint64"]
    for constant, expected in ((0.5, False), (3, None)):
        config = ConstantArrayConfig(name="k", source_array_config=labels, constant=constant)
        assert config.create_array().is_labels is expected


def test_resampling_labels_with_blending_is_refused(stored: dict[str, ZarrArrayConfig]) -> None:
    """The check asks is_labels, so a uint8 mask refuses too, and a declared intensity passes."""
    mask = BinarizeArrayConfig(
        name="mask", source_array_config=stored["uint8"], groupings=[("a", [1])]
    )
    for source in (stored["uint64"], mask):
        config = _halved(source, order=1)
        with pytest.raises(ConfigError, match=r"holds labels or a mask \(is_labels is True\)"):
            config.create_array()
    declared = ZarrArrayConfig(
        name="u", file_name=stored["uint64"].file_name, dataset="uint64", is_labels=False
    )
    config = _halved(declared, order=1)
    assert config.create_array().is_labels is False
