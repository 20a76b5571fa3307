"""Writing OME-NGFF ``multiscales`` for created datasets, one level at a time.

Every dataset created through ``ZarrArray.create_from_array_identifier`` gets an entry in the
``multiscales`` of its parent group: version 0.4 in zarr v2 (``.zattrs``), 0.5 in zarr v3
(``zarr.json`` ``attributes.ome``); N5 groups get the 0.4 form with axes in N5 order. Datasets
named like pyramid levels (``s0``, ``s1``, ... or ``0``, ``1``, ...) with the same axes share
one multiscale, named after the group, its levels sorted finest first; any other dataset gets
a multiscale of its own, named after it, so that ``raw`` and ``labels`` side by side never
pass for levels of one image. Each update is an atomic read-modify-write of the group
document, so levels created concurrently all appear. Translations are written centre-aligned
(as ngff-zarr, ome-zarr-py and fibsem-tools write them; ``placement.py`` reads them back to
each level's corner): every update re-aligns the levels to the finest one listed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import GeometryError

from . import placement
from .formats import N5, ZARR3, Format
from .kvstore import Container, Document
from .units import json_number

#: Voxel sizes and offsets in nm, one per spatial axis (ints, or floats for fractional nm).
Lengths = Sequence[int | float]
LEVEL_NAME = re.compile(r"^s?\d+$")
CHANNEL = "c"


def _ome_axes(axes: list[str]) -> list[dict[str, str]]:
    return [
        {"name": a, "type": "channel"}
        if a == CHANNEL
        else {"name": a, "type": "space", "unit": "nanometer"}
        for a in axes
    ]


def _level(
    name: str, axes: list[str], voxel: Lengths, offset: Lengths, reverse: bool
) -> dict[str, Any]:
    spatial = iter(zip(voxel, offset, strict=True))
    scale: list[int | float] = []
    translation: list[int | float] = []
    for axis in axes:
        v, o = (1, 0) if axis == CHANNEL else next(spatial)
        scale.append(v if isinstance(v, float) else int(v))
        translation.append(o if isinstance(o, float) else int(o))
    if reverse:
        scale, translation = scale[::-1], translation[::-1]
    return {
        "path": name,
        "coordinateTransformations": [
            {"type": "scale", "scale": scale},
            {"type": "translation", "translation": translation},
        ],
    }


def _size(dataset: Any) -> tuple[float, list[float]]:
    """Sort key of a dataset entry: finest (smallest voxel volume) first."""
    for item in dataset.get("coordinateTransformations") or []:
        if isinstance(item, dict) and item.get("type") == "scale":
            try:
                scale = [float(s) for s in item["scale"]]
            except (KeyError, TypeError, ValueError):
                break
            return math.prod(scale), scale
    return math.inf, []


def _transform(dataset: Any, kind: str) -> list[Any] | None:
    for item in dataset.get("coordinateTransformations") or []:
        if (
            isinstance(item, dict)
            and item.get("type") == kind
            and isinstance(item.get(kind), list)
        ):
            return item[kind]  # type: ignore[no-any-return]
    return None


def _decimals(values: list[Any]) -> tuple[Decimal, ...]:
    return tuple(Decimal(repr(v)) if isinstance(v, float) else Decimal(v) for v in values)


def _corners(datasets: list[Any]) -> dict[str, tuple[Decimal, ...]]:
    """The corner offset of each listed level, as ``placement`` reads it (stored order)."""
    listed = [
        (d.get("path"), _decimals(scale), _decimals(shift))
        for d in sorted(datasets, key=_size)
        if (scale := _transform(d, "scale")) is not None
        and (shift := _transform(d, "translation")) is not None
        and len(scale) == len(shift)
    ]
    if not listed:
        return {}
    _, finest_scale, finest_shift = listed[0]
    return {
        path: placement.corner(shift, scale, finest_shift, finest_scale)[0]
        for path, scale, shift in listed
        if len(scale) == len(finest_scale)
    }


def _number(value: Decimal) -> int | float:
    """``value`` as a JSON number that reads back as exactly ``value`` (a centre-aligned
    translation adds half a voxel: one more decimal digit), or a ``GeometryError``."""
    number = json_number(value)
    if number is None:
        raise GeometryError(
            f"the translation {value.normalize():f} nm (a level's corner plus half a voxel) "
            f"has more significant digits than a JSON number stores exactly; write the "
            f"pyramid with a smaller offset or a coarser world_unit"
        )
    return number


def _centre_align(datasets: list[Any], corners: dict[str, tuple[Decimal, ...]]) -> None:
    """Rewrite every level's translation centre-aligned to the finest (first) level, keeping
    each level's corner (``corners``: as read before this update; a new level's translation
    is its corner). Levels may be entered in any order, concurrently: each update leaves
    the translations consistent with the finest level listed then."""
    finest = _transform(datasets[0], "scale") if datasets else None
    if finest is None:
        return
    finest_scale = _decimals(finest)
    for dataset in datasets:
        scale, shift = _transform(dataset, "scale"), _transform(dataset, "translation")
        if scale is None or shift is None or len(scale) != len(finest_scale):
            continue
        corner = corners.get(dataset.get("path"), _decimals(shift))
        shift[:] = [
            _number(c + (s - f) / 2 if s > f else c)
            for c, s, f in zip(corner, _decimals(scale), finest_scale, strict=True)
        ]


def _multiscales(document: Document, fmt: Format) -> list[Any]:
    if fmt is ZARR3:
        attributes = document.setdefault("attributes", {})
        ome = attributes.setdefault("ome", {})
        ome.setdefault("version", "0.5")
        return ome.setdefault("multiscales", [])  # type: ignore[no-any-return]
    return document.setdefault("multiscales", [])  # type: ignore[no-any-return]


def _axis_names(entry: Any) -> list[Any]:
    return [a.get("name") if isinstance(a, dict) else a for a in entry.get("axes") or []]


def _entry_for(
    multiscales: list[Any], name: str, axes: list[dict[str, str]]
) -> dict[str, Any] | None:
    names = [a["name"] for a in axes]
    for entry in multiscales:
        if not isinstance(entry, dict) or _axis_names(entry) != names:
            continue
        paths = [d.get("path", "") for d in entry.get("datasets") or []]
        if LEVEL_NAME.match(name) and all(LEVEL_NAME.match(str(p)) for p in paths):
            return entry
        if not LEVEL_NAME.match(name) and entry.get("name") == name:
            return entry
    return None


def updated_group(
    document: Document | None,
    fmt: Format,
    *,
    group_name: str,
    name: str,
    axes: list[str],
    voxel: Lengths,
    offset: Lengths,
) -> Document:
    """The group document with dataset ``name`` entered (or re-entered) in its multiscales."""
    if document is None:
        document = {"zarr_format": 3, "node_type": "group"} if fmt is ZARR3 else {}
    multiscales = _multiscales(document, fmt)
    for entry in multiscales:
        if isinstance(entry, dict) and isinstance(entry.get("datasets"), list):
            entry["datasets"] = [d for d in entry["datasets"] if d.get("path") != name]
    stored_axes = _ome_axes(axes[::-1] if fmt is N5 else axes)
    entry = _entry_for(multiscales, name, stored_axes)
    if entry is None:
        entry = {"axes": stored_axes, "datasets": []}
        entry["name"] = group_name if LEVEL_NAME.match(name) else name
        if fmt is not ZARR3:
            entry["version"] = "0.4"
        multiscales.append(entry)
    corners = _corners(entry["datasets"])
    entry["datasets"].append(_level(name, axes, voxel, offset, reverse=fmt is N5))
    entry["datasets"].sort(key=_size)
    _centre_align(entry["datasets"], corners)
    multiscales[:] = [e for e in multiscales if not isinstance(e, dict) or e.get("datasets")]
    return document


def add_to_multiscales(
    container: Container,
    fmt: Format,
    dataset: str,
    *,
    axes: list[str],
    voxel: Lengths,
    offset: Lengths,
) -> None:
    """Enter ``dataset`` in the multiscales of its parent group (atomically)."""
    group, _, name = dataset.strip("/").rpartition("/")
    group_name = group.rpartition("/")[2] or container.url.rpartition("/")[2].rsplit(".", 1)[0]
    container.update_json(
        fmt.attrs_key(group),
        lambda document: updated_group(
            document,
            fmt,
            group_name=group_name,
            name=name,
            axes=axes,
            voxel=voxel,
            offset=offset,
        ),
    )
