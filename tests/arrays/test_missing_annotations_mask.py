from __future__ import annotations

import copy
import json
import pickle
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from funlib.geometry import Roi
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    GeometryError,
    MetadataError,
    MissingAnnotationsMask,
    MissingAnnotationsMaskConfig,
    NumpyArray,
    VirtualArrayError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.missing_annotations_mask_metadata import (
    Annotation,
    parse_annotation_metadata,
)
from dacapo_arrays.testing.checks import assert_refused
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import aligned_rois

FIXTURES = Path(__file__).parents[1] / "fixtures" / "annotations"
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
STATES = [True, False, "dense", "sparse", "empty"]


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())  # type: ignore[no-any-return]


def _labels_source(folder: Path, truth: NumpyArray, metadata: dict[str, Any]) -> ZarrArrayConfig:
    config = zarr_source(folder, truth, name="labels")
    ZarrArray(config).add_metadata(metadata)
    return config


def _mask(config: ZarrArrayConfig, groupings: list) -> MissingAnnotationsMask:
    mask_config = MissingAnnotationsMaskConfig(
        name="mask", source_array_config=config, groupings=groupings
    )
    return mask_config.create_array()  # type: ignore[return-value]


# -- the metadata, parsed from files written the way fibsem-tools / cellmap-schemas write them


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("fibsem_tools_bool.json", Annotation("labels", not_annotated=frozenset({3}))),
        ("fibsem_tools_enum.json", Annotation("labels", not_annotated=frozenset({3, 4}))),
        ("cellmap_semantic.json", Annotation("cellmap.annotation", unknown=255)),
        ("cellmap_instance.json", Annotation("cellmap.annotation", unknown=None)),
        ("fibsem_tools_6_histogram.json", Annotation("cellmap.annotation", unknown=255)),
    ],
)
def test_fixtures_parse(name: str, expected: Annotation) -> None:
    assert parse_annotation_metadata(fixture(name), "dataset 'x'") == expected


@pytest.mark.parametrize(
    ("present", "annotated", "unusable"),
    [
        (True, True, False),
        (True, "dense", False),
        (True, False, True),  # fibsem-tools before 2023-03
        (True, "sparse", True),  # the original treated every string as annotated
        (True, "empty", True),
        (False, False, False),
        (False, "empty", False),
        (False, "sparse", False),
        (False, "dense", False),
    ],
)
def test_present_but_not_annotated(present: bool, annotated: object, unusable: bool) -> None:
    labels = [{"value": 7, "annotationState": {"present": present, "annotated": annotated}}]
    parsed = parse_annotation_metadata({"labels": labels}, "dataset 'x'")
    assert parsed.unusable([7]) is unusable
    assert parsed.unusable([7, 8]) is unusable
    assert parsed.unusable([8]) is False
    assert parsed.unusable([]) is unusable  # an empty group is every label


def _set(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(document)
    *parents, last = path.split(".")
    target: Any = changed
    for key in parents:
        target = target[int(key)] if key.isdigit() else target[key]
    if value is KeyError:
        del target[int(last) if last.isdigit() else last]
    else:
        target[int(last) if last.isdigit() else last] = value
    return changed


ENUM = fixture("fibsem_tools_enum.json")
CELLMAP = fixture("cellmap_semantic.json")
INSTANCE = fixture("cellmap_instance.json")


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        (_set(ENUM, "labels", {"value": 1}), r"'labels' is \{\"value\": 1\}; expected a list"),
        (_set(ENUM, "labels.1", 3), r"labels\[1\] is 3; expected a mapping"),
        (
            _set(ENUM, "labels.1.annotationState", KeyError),
            r"labels\[1\] has no 'annotationState' \(keys: \['count', 'name', 'value'\]\)",
        ),
        (_set(ENUM, "labels.0.value", "3"), r"labels\[0\].value is \"3\"; expected a whole"),
        (_set(ENUM, "labels.0.value", True), r"labels\[0\].value is true; expected a whole"),
        (
            _set(ENUM, "labels.2.annotationState.annotated", "partial"),
            r"labels\[2\].annotationState.annotated is \"partial\"; expected true, false, "
            r"'dense', 'sparse' or 'empty'",
        ),
        (
            _set(ENUM, "labels.2.annotationState.annotated", 1),
            r"labels\[2\].annotationState.annotated is 1; expected true, false",
        ),
        (
            _set(ENUM, "labels.2.annotationState.annotated", KeyError),
            r"labels\[2\].annotationState.annotated is null; expected true, false",
        ),
        (
            _set(ENUM, "labels.0.annotationState.present", "yes"),
            r"labels\[0\].annotationState.present is \"yes\"; expected a bool",
        ),
        (
            _set(ENUM, "labels.0.name", "mito"),
            r"labels\[0\].name is \"mito\"; expected \{'long': str, 'short': str\}",
        ),
        (
            _set(ENUM, "labels.0.count", -1),
            r"labels\[0\].count is -1; expected a whole number >= 0",
        ),
        (
            _set(CELLMAP, "cellmap.annotation", []),
            r"cellmap.annotation is \[\]; expected a mapping",
        ),
        (
            _set(CELLMAP, "cellmap.annotation.class_name", KeyError),
            r"cellmap.annotation.class_name is null; expected a string",
        ),
        (
            _set(CELLMAP, "cellmap.annotation.annotation_type.type", "semantic"),
            r"cellmap.annotation.annotation_type.type is \"semantic\"; expected "
            r"'semantic_segmentation' or 'instance_segmentation'",
        ),
        (
            _set(CELLMAP, "cellmap.annotation.annotation_type.encoding.unknown", "255"),
            r"cellmap.annotation.annotation_type.encoding.unknown is \"255\"; expected a whole",
        ),
        (
            _set(INSTANCE, "cellmap.annotation.annotation_type.encoding.present", 1),
            r"cellmap.annotation.annotation_type.encoding has key 'present'; type "
            r"'instance_segmentation' encodes only \['absent', 'unknown'\]",
        ),
        (
            _set(INSTANCE, "cellmap.annotation.complement_counts.unknown", 3),
            r"cellmap.annotation.complement_counts counts 'unknown', which the encoding "
            r"\{\"absent\": 0\} does not have",
        ),
        (
            _set(CELLMAP, "cellmap.annotation.complement_counts.absent", -5),
            r"cellmap.annotation.complement_counts.absent is -5; expected a whole number >= 0",
        ),
        (
            _set(CELLMAP, "cellmap.annotation.annotation_type", None),
            r"cellmap.annotation.annotation_type is null; expected a mapping",
        ),
    ],
)
def test_malformed_metadata_names_the_dataset_the_entry_and_the_form(
    document: dict[str, Any], problem: str
) -> None:
    with pytest.raises(
        MetadataError,
        match=(
            rf"^the annotation metadata of dataset 'x' is malformed: {problem}.*; expected "
            r"either a 'labels' list \(fibsem-tools: .*\) or a 'cellmap': .* entry in the "
            r"dataset attributes$"
        ),
    ):
        parse_annotation_metadata(document, "dataset 'x'")


def test_the_labels_list_wins_over_the_cellmap_form() -> None:
    both = {**fixture("fibsem_tools_bool.json"), **CELLMAP}
    assert parse_annotation_metadata(both, "x").form == "labels"


# -- the array


def test_missing_metadata_is_refused_at_construction(tmp_path: Path) -> None:
    config = zarr_source(tmp_path, numpy_truth(), name="labels")
    mask_config = MissingAnnotationsMaskConfig(
        name="mask", source_array_config=config, groupings=[("mito", [3])]
    )
    message = (
        r"ZarrArray 'labels' \(dataset 'labels' in '.*data.zarr'\) has no annotation metadata "
        r"\(attribute keys: \[.*'resolution', 'units'.*\]\); expected either a "
        r"'labels' list .*; add it with ZarrArray.add_metadata\(...\)"
    )
    assert_refused(
        mask_config,
        MetadataError,
        message,
        reported="$ (MissingAnnotationsMaskConfig 'mask'): ZarrArray 'labels'",
    )


def test_malformed_metadata_names_the_dataset(tmp_path: Path) -> None:
    broken = _set(ENUM, "labels.2.annotationState.annotated", "partial")
    config = _labels_source(tmp_path, numpy_truth(), {"labels": broken["labels"]})
    with pytest.raises(
        MetadataError,
        match=(
            r"the annotation metadata of ZarrArray 'labels' \(dataset 'labels' in '.*data.zarr'\)"
            r" is malformed: labels\[2\].annotationState.annotated is \"partial\""
        ),
    ):
        _mask(config, [("mito", [3])])


@st.composite
def label_metadata(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(st.lists(st.integers(1, 19), unique=True, max_size=6))
    return [
        {
            "value": i,
            "annotationState": {
                "present": draw(st.booleans()),
                "annotated": draw(st.sampled_from(STATES)),
            },
        }
        for i in ids
    ]


GROUPINGS = st.lists(
    st.tuples(
        st.text("abcdefgh", min_size=1, max_size=4), st.lists(st.integers(1, 19), max_size=3)
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda g: g[0],
)


@SLOW
@given(data=st.data(), labels=label_metadata(), groupings=GROUPINGS)
def test_reads_equal_the_numpy_reference(data: st.DataObject, labels, groupings) -> None:
    truth = numpy_truth(dtype=data.draw(st.sampled_from(["uint8", "uint16", "uint64"])))
    with tempfile.TemporaryDirectory() as folder:
        config = _labels_source(Path(folder), truth, {"labels": labels})
        mask = _mask(config, groupings)
        roi = data.draw(aligned_rois(mask.roi, mask.voxel_size))
        got = mask[roi]
    bad = {
        label["value"]
        for label in labels
        if label["annotationState"]["present"]
        and label["annotationState"]["annotated"] not in (True, "dense")
    }
    unusable = [bool(set(ids) & bad) if ids else bool(bad) for _, ids in groupings]
    expected = [np.zeros(got.shape[1:]) if u else truth[roi] > 0 for u in unusable]
    np.testing.assert_array_equal(got, np.stack(expected).astype(np.uint8))
    assert got.dtype == mask.dtype == np.uint8
    assert mask.num_channels == len(groupings) == got.shape[0]
    assert mask.unusable_groups == [n for (n, _), u in zip(groupings, unusable, strict=True) if u]


def test_the_cellmap_form_masks_the_unknown_value(tmp_path: Path) -> None:
    values = np.array([[[0, 1, 255], [1, 255, 0]]], np.uint8)
    truth = NumpyArray.from_np_array(
        values, Roi((0, 0, 0), (4, 8, 12)), (4, 4, 4), ["z", "y", "x"]
    )
    config = _labels_source(tmp_path, truth, CELLMAP)
    mask = _mask(config, [("mito", [1]), ("all", [])])
    assert mask.unusable_groups == []
    np.testing.assert_array_equal(mask[mask.roi], [[[[1, 1, 0], [1, 0, 1]]]] * 2)
    instance = _mask(_labels_source(tmp_path / "i", truth, INSTANCE), [("nuc", [])])
    np.testing.assert_array_equal(instance[instance.roi], np.ones((1, 1, 2, 3), np.uint8))


def test_properties_and_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    truth = numpy_truth()
    metadata = {"labels": fixture("fibsem_tools_enum.json")["labels"]}
    config = MissingAnnotationsMaskConfig(
        name="mask",
        source_array_config=_labels_source(tmp_path, truth, metadata),
        groupings=[("ecs", [1]), ("mito", [3, 4, 5]), ("er", [16, 17])],
    )
    for suffix in (".yaml", ".toml", ".json"):
        config.to_file(tmp_path / f"mask{suffix}")
        assert ArrayConfig.from_file(tmp_path / f"mask{suffix}") == config
    assert config.verify() == (True, "No validation for this Array")
    mask = config.create_array()
    assert isinstance(mask, MissingAnnotationsMask)
    assert mask.name == "mask"
    assert list(mask.channels) == ["ecs", "mito", "er"]
    assert mask.unusable_groups == ["mito"]
    assert mask.axes == ["c", "z", "y", "x"]
    assert mask.num_channels == 3
    assert mask.dtype == np.uint8
    assert mask.roi == truth.roi
    assert mask.voxel_size == truth.voxel_size
    assert mask.attrs == mask.source_array.attrs
    assert mask.attrs["labels"] == metadata["labels"]
    assert not mask.writable
    with pytest.raises(VirtualArrayError, match="virtual array computed on demand"):
        mask.data  # noqa: B018
    again = pickle.loads(pickle.dumps(mask))
    np.testing.assert_array_equal(again[again.roi], mask[mask.roi])
    requests: list[Roi] = []
    original = mask.source_array._read
    monkeypatch.setattr(mask.source_array, "_read", lambda r: requests.append(r) or original(r))
    roi = Roi((24, 0, 8), (16, 8, 12))
    got = mask[roi]
    assert requests == [roi]
    np.testing.assert_array_equal(got[1], 0)
    np.testing.assert_array_equal(got[0], truth[roi] > 0)


def test_nothing_is_read_when_every_group_is_unusable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    metadata = {"labels": fixture("fibsem_tools_bool.json")["labels"]}
    mask = _mask(_labels_source(tmp_path, numpy_truth(), metadata), [("mito", [3, 4])])
    monkeypatch.setattr(mask.source_array, "_read", lambda roi: pytest.fail("read the source"))
    np.testing.assert_array_equal(mask[mask.roi], np.zeros(mask.shape, np.uint8))


def test_a_source_with_channels_is_refused(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(2, 6, 10, 12))
    config = _labels_source(tmp_path, truth, {"labels": []})
    with pytest.raises(
        GeometryError,
        match=(
            r"MissingAnnotationsMask 'mask': source_array_config \(ZarrArray 'labels' .*\) has a "
            r"channel axis \(axes \['c', 'z', 'y', 'x'\], 2 channels\), but a labels volume has "
            r"none; pass an array without channels"
        ),
    ):
        _mask(config, [("mito", [3])])


@pytest.mark.parametrize(
    ("groupings", "problem"),
    [
        ([], "groupings is empty; list the (name, [ids]) groups to mask"),
        ([("a", [1]), ("a", [2])], "groupings repeat the name(s) ['a']; name each channel once"),
    ],
)
def test_verify_checks_the_groupings(tmp_path: Path, groupings, problem: str) -> None:
    config = _labels_source(tmp_path, numpy_truth(), {"labels": []})
    mask_config = MissingAnnotationsMaskConfig(
        name="mask", source_array_config=config, groupings=groupings
    )
    assert mask_config.verify() == (False, f"$ (MissingAnnotationsMaskConfig 'mask'): {problem}")


@SLOW
@given(
    dtype=st.sampled_from(["uint16", "uint32", "uint64", "int32", "int64"]),
    high=st.sampled_from([5, 255, 300, 70_000]),
    signed=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_a_target_and_a_mask_of_one_read_share_its_narrow_copy(
    dtype: str, high: int, signed: bool, seed: int
) -> None:
    """In a ``shared_reads`` block (as the Sampler reads a sample) a BinarizeArray and a mask of
    the same labels compute on one narrow copy, made once; both equal their references."""
    from dacapo.experiments.datasplits.datasets.arrays import BinarizeArrayConfig
    from dacapo.experiments.datasplits.datasets.arrays import binarize_array as binarize_module
    from dacapo.experiments.datasplits.datasets.arrays import missing_annotations_mask as module
    from dacapo.experiments.datasplits.datasets.arrays._reads import shared_reads
    from dacapo.experiments.datasplits.datasets.arrays.kernels import narrow_labels
    from dacapo_arrays.testing.cases.binarize import binarize_reference

    low = -2 if signed and dtype.startswith("int") else 0
    rng = np.random.default_rng(seed)
    values = rng.integers(low, min(high, np.iinfo(dtype).max), (4, 6, 8), endpoint=True)
    truth = NumpyArray.from_np_array(
        values.astype(dtype), Roi((0, 0, 0), (16, 24, 32)), (4, 4, 4), ["z", "y", "x"]
    )
    groupings = [("a", [1, 2]), ("b", [3, 300]), ("c", [4, 5, 70_000])]
    calls: list[np.dtype] = []

    def counted(labels: np.ndarray) -> np.ndarray:
        calls.append(labels.dtype)
        return narrow_labels(labels)

    with tempfile.TemporaryDirectory() as folder:
        config = _labels_source(Path(folder), truth, {"labels": []})
        mask = _mask(config, groupings)
        target = BinarizeArrayConfig("gt", config, groupings).create_array()
        roi = Roi((4, 4, 8), (8, 16, 16))
        with (
            mock.patch.object(binarize_module, "narrow_labels", counted),
            mock.patch.object(module, "narrow_labels", counted),
        ):
            with shared_reads():
                got_target, got_mask = target.read_async(roi), mask.read_async(roi)
            got_target, got_mask = got_target.result(), got_mask.result()
    assert calls == [np.dtype(dtype)]
    labels = truth[roi]
    np.testing.assert_array_equal(got_target, binarize_reference(labels, groupings, 0))
    np.testing.assert_array_equal(got_mask, np.stack([labels > 0] * 3).astype(np.uint8))
