"""The annotation metadata of a CellMap-style labels dataset: pure parsers.

Two forms are read from the dataset's own attributes; the first found wins.

1. fibsem-tools' ``labels`` list (what the original DaCapo read)::

       {"labels": [{"value": 3, "name": {"long": "Mitochondrial membrane", "short": "Mito"},
                    "annotationState": {"present": true, "annotated": "dense"},
                    "count": 12345}]}

   ``annotated`` is a bool in files written before fibsem-tools 2023-03 and one of
   ``"dense"``, ``"sparse"``, ``"empty"`` after. A label is *present but not annotated* when
   ``present`` is true and ``annotated`` is neither ``true`` nor ``"dense"``: sparse and
   empty annotations of a present label leave unlabeled voxels that may belong to it. Voxels
   are annotated where the label is > 0 (0 is "unknown" in this convention). Only ``value``
   and ``annotationState`` are read; ``name`` and ``count`` are checked when present.

2. cellmap-schemas' annotation array attributes (one class per array)::

       {"cellmap": {"annotation": {
           "class_name": "mito",
           "annotation_type": {"type": "semantic_segmentation",
                               "encoding": {"absent": 0, "unknown": 255, "present": 1}},
           "complement_counts": {"absent": 1000, "unknown": 20}}}}

   Voxels are annotated where the value is not ``encoding["unknown"]`` (everywhere when the
   encoding has no ``"unknown"``). This form states absence and unknown-ness voxel by voxel,
   so no label id is ever present but not annotated. ``complement_counts`` (optional; called
   ``histogram`` by fibsem-tools 6) is checked: counts >= 0 whose keys the encoding has.
"""

from __future__ import annotations

import json
import numbers
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import numpy as np

from .errors import MetadataError

LABELS = "labels"
CELLMAP = "cellmap.annotation"
ANNOTATED_STATES = (True, False, "dense", "sparse", "empty")
#: ``annotated`` values that make a present label usable (everything else masks it).
FULLY_ANNOTATED = (True, "dense")
SEMANTIC_KEYS = ("absent", "unknown", "present")
INSTANCE_KEYS = ("absent", "unknown")

EXPECTED = (
    'expected either a \'labels\' list (fibsem-tools: [{"value": 3, "annotationState": '
    '{"present": true, "annotated": "dense"}}, ...]) or a \'cellmap\': {"annotation": '
    '{"class_name": ..., "annotation_type": {"type": "semantic_segmentation", "encoding": '
    '{"absent": 0, "unknown": 255, "present": 1}}}} entry in the dataset attributes'
)


@attrs.frozen
class Annotation:
    """What the metadata says: which voxels are annotated, which label ids are unusable."""

    form: str
    #: The value of unannotated voxels (``cellmap.annotation`` form; ``None``: there is none).
    unknown: int | None = None
    #: Label ids present in the crop but not (densely) annotated.
    not_annotated: frozenset[int] = frozenset()

    def annotated(self, labels: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Boolean mask of the annotated voxels of ``labels`` (written into ``out``, a bool
        array of their shape, when given)."""
        mask = np.empty(labels.shape, bool) if out is None else out
        if self.form == LABELS:
            np.greater(labels, 0, out=mask)
        elif self.unknown is None:
            mask[...] = True
        else:  # an ``unknown`` the dtype cannot hold is nowhere: numpy compares exactly
            np.not_equal(labels, self.unknown, out=mask)
        return mask

    def unusable(self, ids: Iterable[int]) -> bool:
        """Whether a group of ids is masked out entirely (an empty group means every id > 0)."""
        ids = list(ids)
        if not ids:
            return bool(self.not_annotated)
        return any(i in self.not_annotated for i in ids)


class _Malformed(Exception):
    """A problem at a path inside the metadata (turned into a MetadataError by the caller)."""


def _show(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _int(value: Any, path: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _Malformed(f"{path} is {_show(value)}; expected a whole number")
    if minimum is not None and value < minimum:
        raise _Malformed(f"{path} is {value}; expected a whole number >= {minimum}")
    return int(value)


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _Malformed(f"{path} is {_show(value)}; expected a mapping")
    return value


def _label_state(label: Any, path: str) -> tuple[int, bool]:
    """``(value, present and not fully annotated)`` of one entry of a ``labels`` list."""
    label = _mapping(label, path)
    for key in ("value", "annotationState"):
        if key not in label:
            raise _Malformed(f"{path} has no {key!r} (keys: {sorted(label)})")
    value = _int(label["value"], f"{path}.value")
    state = _mapping(label["annotationState"], f"{path}.annotationState")
    present, annotated = state.get("present"), state.get("annotated")
    if not isinstance(present, bool):
        raise _Malformed(f"{path}.annotationState.present is {_show(present)}; expected a bool")
    if not any(
        annotated is s or (isinstance(s, str) and annotated == s) for s in ANNOTATED_STATES
    ):
        raise _Malformed(
            f"{path}.annotationState.annotated is {_show(annotated)}; expected true, false, "
            f"'dense', 'sparse' or 'empty'"
        )
    name = label.get("name")
    if name is not None and not (
        isinstance(name, Mapping) and all(isinstance(name.get(k), str) for k in ("long", "short"))
    ):
        raise _Malformed(f"{path}.name is {_show(name)}; expected {{'long': str, 'short': str}}")
    if label.get("count") is not None:
        _int(label["count"], f"{path}.count", minimum=0)
    unusable = present and not any(annotated is s or annotated == s for s in FULLY_ANNOTATED)
    return value, unusable


def parse_label_list(labels: Any) -> Annotation:
    """The fibsem-tools ``labels`` form (the value of the ``labels`` attribute)."""
    if isinstance(labels, str) or not isinstance(labels, list):
        raise _Malformed(f"'labels' is {_show(labels)}; expected a list of labels")
    states = [_label_state(label, f"labels[{i}]") for i, label in enumerate(labels)]
    return Annotation(LABELS, not_annotated=frozenset(v for v, unusable in states if unusable))


def parse_cellmap_annotation(annotation: Any) -> Annotation:
    """The cellmap-schemas form (the value of ``attributes["cellmap"]["annotation"]``)."""
    path = "cellmap.annotation"
    annotation = _mapping(annotation, path)
    if not isinstance(annotation.get("class_name"), str):
        raise _Malformed(
            f"{path}.class_name is {_show(annotation.get('class_name'))}; expected a string"
        )
    kind = _mapping(annotation.get("annotation_type"), f"{path}.annotation_type")
    allowed = {"semantic_segmentation": SEMANTIC_KEYS, "instance_segmentation": INSTANCE_KEYS}
    if kind.get("type") not in allowed:
        raise _Malformed(
            f"{path}.annotation_type.type is {_show(kind.get('type'))}; expected "
            f"'semantic_segmentation' or 'instance_segmentation'"
        )
    encoding = _mapping(kind.get("encoding"), f"{path}.annotation_type.encoding")
    keys = allowed[kind["type"]]
    for key, value in encoding.items():
        if key not in keys:
            raise _Malformed(
                f"{path}.annotation_type.encoding has key {key!r}; type {kind['type']!r} "
                f"encodes only {list(keys)}"
            )
        _int(value, f"{path}.annotation_type.encoding.{key}")
    counts = annotation.get("complement_counts", annotation.get("histogram"))
    if counts is not None:
        for key, value in _mapping(counts, f"{path}.complement_counts").items():
            if key not in encoding:
                raise _Malformed(
                    f"{path}.complement_counts counts {key!r}, which the encoding "
                    f"{_show(dict(encoding))} does not have; every counted key must be encoded"
                )
            _int(value, f"{path}.complement_counts.{key}", minimum=0)
    unknown = encoding.get("unknown")
    return Annotation(CELLMAP, unknown=None if unknown is None else int(unknown))


def parse_annotation_metadata(attributes: Mapping[str, Any], where: str) -> Annotation:
    """Parse the annotation metadata of ``where`` (a dataset, named in errors).

    Raises :class:`~.errors.MetadataError` naming ``where``, the path of the bad entry and
    the expected form when the metadata is missing or malformed.
    """
    try:
        if LABELS in attributes:
            return parse_label_list(attributes[LABELS])
        cellmap = attributes.get("cellmap")
        if isinstance(cellmap, Mapping) and "annotation" in cellmap:
            return parse_cellmap_annotation(cellmap["annotation"])
    except _Malformed as err:
        raise MetadataError(
            f"the annotation metadata of {where} is malformed: {err}; {EXPECTED}"
        ) from None
    raise MetadataError(
        f"{where} has no annotation metadata (attribute keys: {sorted(attributes)}); {EXPECTED}; "
        f"add it with ZarrArray.add_metadata(...)"
    )
