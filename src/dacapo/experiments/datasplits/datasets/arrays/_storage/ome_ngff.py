"""OME-NGFF 0.4 and 0.5 ``multiscales``: voxel size, offset and axes from the parent group.

The groups above the array are searched, nearest first, for a multiscale whose ``datasets``
list the array's path. Version 0.4 keeps ``multiscales`` in the group's attributes; 0.5 (zarr
v3) keeps it under ``attributes.ome``, and a reader that misses that reads voxel size 1; both
are read here. For the matching dataset, ``scale`` is the voxel size and ``translation`` is the
offset (the world position of the corner of voxel 0: our ``offset``), each composed with the
multiscale's own ``coordinateTransformations`` (``scale * s + t``) and converted from the
axes' units to nanometres. Leading axes that are neither space nor channel (time) must have
size 1 and are indexed away; the channel axis is called ``c``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

from . import placement
from .nodes import Geometry, Level, MetadataInput, Node, join_path
from .units import factor, stated, to_decimal

#: Axis names of OME-NGFF 0.1 / 0.2 images, which have no ``axes``: always 5-D.
_IMPLICIT_AXES = ("t", "c", "z", "y", "x")


def multiscales_of(attributes: Any) -> tuple[list[Any], str] | None:
    """A group's ``multiscales`` list and its version, or ``None`` if it has none."""
    if not isinstance(attributes, dict):
        return None
    ome = attributes.get("ome")
    if isinstance(ome, dict) and isinstance(ome.get("multiscales"), list):
        return ome["multiscales"], str(ome.get("version", "0.5"))
    found = attributes.get("multiscales")
    if isinstance(found, list):
        first = found[0] if found and isinstance(found[0], dict) else {}
        return found, str(first.get("version", "0.4"))
    return None


def _paths(group: Node, entry: Any) -> list[tuple[str, dict[str, Any]]]:
    datasets = entry.get("datasets") if isinstance(entry, dict) else None
    return [
        (join_path(group.path, str(d["path"])), d)
        for d in datasets or []
        if isinstance(d, dict) and "path" in d
    ]


def parse(meta: MetadataInput) -> Geometry | None:
    """The geometry of ``meta.array`` from the first multiscale (nearest group) listing it."""
    for group in meta.parents:
        found = multiscales_of(group.attrs)
        if found is None:
            continue
        entries, version = found
        for entry in entries:
            paths = _paths(group, entry)
            mine = [d for path, d in paths if path == meta.array.path]
            if mine:
                return _geometry(meta, group, entry, mine[0], paths, version)
    return None


def _geometry(
    meta: MetadataInput,
    group: Node,
    entry: dict[str, Any],
    dataset: dict[str, Any],
    paths: list[tuple[str, dict[str, Any]]],
    version: str,
) -> Geometry | None:
    _check_version(version, entry, group.where)
    axes = _axes(entry, len(meta.shape), group.where)
    if meta.reversed_axes:
        axes = axes[::-1]
    root = entry.get("coordinateTransformations")
    if not dataset.get("coordinateTransformations") and not root:
        return None  # OME-NGFF < 0.4 has no transforms: let other conventions say
    squeeze = _squeeze(axes, meta.shape, group.where)
    kept = axes[squeeze:]
    names = tuple("c" if kind == "channel" else name for name, kind, _ in kept)
    voxel, translation = _level(meta, group, entry, dataset, axes)
    finest = _level(meta, group, entry, paths[0][1], axes)
    offset, how = placement.corner(translation, voxel, finest[1], finest[0])
    what = f"dataset {dataset.get('path')!r}"
    units = [unit for _, kind, unit in axes if kind == "space"]
    written = _spatial_values(meta, entry, dataset, axes)
    notes = []
    if how == placement.CENTRE:
        notes.append(
            f"{what} in {group.where} is a centre-aligned pyramid level: its translation "
            f"{_show(translation)} nm places voxel centres, so its corner offset is "
            f"{_show(offset)} nm (docs/decisions.md, pyramid levels)"
        )
    levels = []
    for path, other in paths:
        try:
            other_voxel, other_translation = _level(meta, group, entry, other, axes)
        except MetadataError:
            continue  # a level that cannot be represented cannot be opened either
        placed, _ = placement.corner(other_translation, other_voxel, finest[1], finest[0])
        levels.append(Level(path, other_voxel, placed))
    return Geometry(
        convention=f"OME-NGFF {version} multiscales",
        where=group.where,
        voxel_size=voxel,
        offset=offset,
        axes=names,
        squeeze=squeeze,
        levels=tuple(levels),
        voxel_from=stated(written[0], units, attribute=f"'scale' of {what}", where=group.where),
        offset_from=stated(
            written[1],
            units,
            attribute=f"'translation' of {what}"
            + (f" (centre-aligned: corner {_show(offset)} nm)" if how == placement.CENTRE else ""),
            where=group.where,
        ),
        notes=tuple(notes),
    )


def _show(values: tuple[Decimal, ...]) -> str:
    return f"({', '.join(f'{v.normalize():f}' for v in values)})"


#: OME-NGFF versions read here; 0.6 moved axes into ``coordinateSystems``.
VERSIONS = ("0.1", "0.2", "0.3", "0.4", "0.5")


def _check_version(version: str, entry: dict[str, Any], where: str) -> None:
    """Refuse versions whose transforms or units this parser does not know."""
    base = version.split("-")[0]
    if base in VERSIONS and "coordinateSystems" not in entry:
        return
    raise MetadataError(
        f"OME-NGFF version {version!r} in {where} is not supported (supported: "
        f"{', '.join(VERSIONS)}): its axes and units live in 'coordinateSystems', which are "
        f"not read, and a voxel size is never read with assumed units. Convert the metadata "
        f"to version 0.4 or 0.5, or state the geometry with ZarrArrayConfig(voxel_size=..., "
        f"offset=..., axes=[...])"
    )


def _axes(entry: dict[str, Any], ndim: int, where: str) -> list[tuple[str, str, Any]]:
    """``(name, type, unit)`` per axis in stored order; types inferred when absent."""
    raw = entry.get("axes")
    if raw is None:
        raw = list(_IMPLICIT_AXES[-ndim:])
    if not isinstance(raw, list) or len(raw) != ndim:
        names = [a.get("name") if isinstance(a, dict) else a for a in raw or []]
        raise MetadataError(
            f"the multiscales 'axes' in {where} name {names} for a {ndim}-D array; give one "
            f"axis per dimension"
        )
    axes = []
    for axis in raw:
        name = str(axis.get("name") if isinstance(axis, dict) else axis)
        kind = axis.get("type") if isinstance(axis, dict) else None
        unit = axis.get("unit") if isinstance(axis, dict) else None
        if kind is None:
            kind = {"c": "channel", "channel": "channel", "t": "time"}.get(name, "space")
        axes.append((name, str(kind), unit))
    return axes


def _squeeze(axes: list[tuple[str, str, Any]], shape: tuple[int, ...], where: str) -> int:
    """How many leading non-space, non-channel axes (of size 1) to index away."""
    count = 0
    while count < len(axes) and axes[count][1] not in ("space", "channel"):
        count += 1
    bad = [
        f"{name!r} ({kind}, size {size})"
        for i, ((name, kind, _), size) in enumerate(zip(axes, shape, strict=True))
        if (i < count and size != 1) or (i >= count and kind not in ("space", "channel"))
    ]
    channels = [i for i, (_, kind, _) in enumerate(axes) if kind == "channel"]
    if bad or len(channels) > 1 or (channels and channels[0] != count):
        raise MetadataError(
            f"cannot read axes {[a[0] for a in axes]} of the multiscale in {where}: only one "
            f"channel axis followed by space axes is supported, after leading axes of size 1 "
            f"(offending: {', '.join(bad) or 'the channel axes'}); export the data as "
            f"[c,] z, y, x"
        )
    return count


def _transforms(items: Any, ndim: int, what: str, where: str) -> tuple[list[Any], list[Any]]:
    scale: list[Any] = [1] * ndim
    translation: list[Any] = [0] * ndim
    for item in items or []:
        kind = item.get("type") if isinstance(item, dict) else None
        if kind == "identity":
            continue
        if kind not in ("scale", "translation") or kind not in item:
            raise MetadataError(
                f"unsupported coordinate transformation {item!r} in {what} of {where}; only "
                f"inline 'scale' and 'translation' are supported"
            )
        values = item[kind]
        if not isinstance(values, list) or len(values) != ndim:
            raise MetadataError(
                f"the {kind} {values!r} in {what} of {where} must list {ndim} numbers, one "
                f"per axis"
            )
        if kind == "scale":
            scale = values
        else:
            translation = values
    return scale, translation


def _spatial_values(
    meta: MetadataInput, entry: dict[str, Any], dataset: dict[str, Any], axes: Any
) -> tuple[list[Any], list[Any]]:
    """The dataset's own scale and translation of the space axes, as written."""
    what, where = f"dataset {dataset.get('path')!r}", "the multiscale"
    scale, shift = _transforms(dataset.get("coordinateTransformations"), len(axes), what, where)
    if meta.reversed_axes:
        scale, shift = scale[::-1], shift[::-1]
    space = [i for i, (_, kind, _) in enumerate(axes) if kind == "space"]
    return [scale[i] for i in space], [shift[i] for i in space]


def _level(
    meta: MetadataInput,
    group: Node,
    entry: dict[str, Any],
    dataset: dict[str, Any],
    axes: list[tuple[str, str, Any]],
) -> tuple[tuple[Decimal, ...], tuple[Decimal, ...]]:
    """Voxel size and translation (exact nm, space axes) of one dataset of a multiscale."""
    ndim = len(axes)
    what = f"dataset {dataset.get('path')!r}"
    where = group.where

    def ordered(values: list[Any]) -> list[Any]:
        return values[::-1] if meta.reversed_axes else values

    scale, shift = _transforms(dataset.get("coordinateTransformations"), ndim, what, where)
    root_scale, root_shift = _transforms(
        entry.get("coordinateTransformations"), ndim, "the multiscale", where
    )
    voxel: list[Decimal] = []
    offset: list[Decimal] = []
    columns = zip(
        ordered(scale), ordered(shift), ordered(root_scale), ordered(root_shift), strict=True
    )
    for (_, kind, unit), (s, t, rs, rt) in zip(axes, columns, strict=True):
        if kind != "space":
            continue
        s, t, rs, rt = (to_decimal(v, attribute=what, where=where) for v in (s, t, rs, rt))
        nm = factor(unit, attribute=f"the unit of axis in {what}", where=where)
        voxel.append(s * rs * nm)
        offset.append((t * rs + rt) * nm)
    return tuple(voxel), tuple(offset)
