"""Which arrays hold labels: one rule, asked through ``Array.is_labels`` everywhere.

``is_labels`` is ``True`` for label ids and masks, ``False`` for intensities and ``None`` when
nothing says which. Whatever must know (pyramid downsampling, the resampling check, the
neuroglancer layer type, the gunpowder and xarray bridges) asks ``array.is_labels`` and, on
``None``, asks the user to choose instead of guessing.

Where the answer comes from, first match wins:

1. a stored config's ``is_labels`` field (the user's word);
2. the stored metadata (:func:`labels_by_attributes`), nearest node first;
3. the kind: binarize, merge-instances, logical-or, missing-annotations masks and ones are
   labels; intensities and resampling with ``interp_order >= 1`` are intensities; other
   computed kinds keep their source's answer;
4. the dtype where it is unambiguous (:func:`labels_by_dtype`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

#: Dtypes that hold label ids or masks and nothing else in practice.
LABEL_DTYPES = frozenset(np.dtype(d) for d in ("bool", "uint32", "uint64", "int32", "int64"))


def labels_by_dtype(dtype: Any) -> bool | None:
    """``True`` for bool and 32/64-bit integers, ``False`` for floats, else ``None``.

    ``uint8`` and ``uint16`` hold EM intensities as often as class ids, so they say nothing:

    >>> labels_by_dtype("uint64"), labels_by_dtype("float32"), labels_by_dtype("uint8")
    (True, False, None)

    The byte order does not matter (zarr v2 stores ``>u8`` as often as ``<u8``):

    >>> labels_by_dtype(">u8"), labels_by_dtype(">i4"), labels_by_dtype(">f4")
    (True, True, False)
    """
    dtype = np.dtype(dtype).newbyteorder("=")
    if dtype in LABEL_DTYPES:
        return True
    if dtype.kind in "fc":
        return False
    return None


def _from_document(document: Mapping[str, Any]) -> bool | None:
    if "image-label" in document:  # OME-NGFF label image
        return True
    if isinstance(document.get("labels"), list):  # OME-NGFF labels group, DaCapo label list
        return True
    cellmap = document.get("cellmap")
    if isinstance(cellmap, Mapping) and "annotation" in cellmap:  # CellMap annotations
        return True
    if "omero" in document:  # OME-NGFF rendering settings: an image's
        return False
    return None


def labels_by_attributes(nodes: Iterable[Mapping[str, Any]]) -> bool | None:
    """What user attributes say, nearest node (the array, then its groups upwards) first.

    Labels: OME-NGFF ``image-label`` (0.4 top level, 0.5 under ``ome``), a ``labels`` list
    (OME-NGFF labels group, DaCapo's label list), CellMap ``cellmap.annotation``.
    Intensities: OME-NGFF ``omero`` rendering settings.

    >>> labels_by_attributes([{}, {"ome": {"image-label": {}, "multiscales": []}}])
    True
    >>> labels_by_attributes([{}, {"omero": {}}]), labels_by_attributes([{"units": "nm"}])
    (False, None)
    """
    for attributes in nodes:
        for document in (attributes, attributes.get("ome")):
            if isinstance(document, Mapping):
                found = _from_document(document)
                if found is not None:
                    return found
    return None


def agreed(answers: Iterable[bool | None]) -> bool | None:
    """The common answer of several sources, ``None`` when they differ or none knows.

    >>> agreed([True, True]), agreed([True, None]), agreed([False, True])
    (True, None, None)
    """
    found = set(answers)
    return found.pop() if len(found) == 1 else None


def to_is_labels(value: Any) -> bool | None:
    """The ``is_labels`` config field: ``True``, ``False`` or ``None`` (from the data)."""
    if value is None or isinstance(value, bool):
        return value
    raise ValueError(
        f"is_labels must be true (labels or a mask), false (intensities) or left out "
        f"(decided from the metadata and dtype); got {value!r}"
    )


def describe(is_labels: bool | None) -> str:
    """A phrase for messages: ``"labels"``, ``"intensities"`` or ``"unknown"``."""
    return {True: "labels", False: "intensities", None: "unknown"}[is_labels]
