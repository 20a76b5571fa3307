"""N5 attributes: ``pixelResolution`` or ``resolution``, ``offset``, ``axes``, listed x, y, z.

Written by the N5 tools this way:

* Fiji / n5-ij and BigDataViewer: ``"pixelResolution": {"dimensions": [x, y, z], "unit": "um"}``;
* n5-viewer multiscales: ``pixelResolution`` on the root or channel group (``c0``), and per
  level either ``downsamplingFactors`` on the level or the group's ``scales`` list (one entry
  per ``sN``); ``s0`` without either is at factor 1 (voxel size = resolution x factors);
* funlib / daisy (and the original DaCapo): ``"resolution": [x, y, z]`` and ``"offset"`` in nm;
* tensorstore: ``"resolution"`` and ``"units"`` with one entry per dimension, ``"axes"``; a
  dimension in a time unit (``"s"``) of size 1 is indexed away like OME-NGFF's time axes;
* CellMap / fibsem-tools: ``pixelResolution`` next to a COSEM ``transform``, whose
  ``translate`` is the offset when no ``offset`` is stated.

N5 lists dimensions fastest-first, so every list is reversed to the z, y, x order we present.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

from . import cosem
from .nodes import Geometry, MetadataInput, Node, is_channel_marker
from .units import nanometres, stated, to_decimal

#: Keys of an N5 array's ``attributes.json`` that are its metadata, not user attributes.
RESERVED = frozenset(("dimensions", "blockSize", "dataType", "compression"))

#: Units of dimensions that are not space (tensorstore writes them in ``units``).
TIME_UNITS = frozenset(("s", "ms", "us", "µs", "ns", "sec", "second", "seconds", "min", "h"))


def _resolution(node: Node) -> tuple[list[Any], Any, str] | None:
    """``(values, units, attribute)`` of the node's resolution, as stored (x, y, z)."""
    pixel = node.attrs.get("pixelResolution")
    if isinstance(pixel, dict) and "dimensions" in pixel:
        return list(pixel["dimensions"]), pixel.get("unit"), "'pixelResolution'"
    if isinstance(pixel, list):
        return list(pixel), None, "'pixelResolution'"
    resolution = node.attrs.get("resolution")
    if isinstance(resolution, list):
        units = node.attrs.get("units")
        return list(resolution), list(units) if isinstance(units, list) else units, "'resolution'"
    return None


def _factors(meta: MetadataInput) -> list[Any] | None:
    """The level's downsampling factors (x, y, z): its own, else its group's ``scales``."""
    own = meta.array.attrs.get("downsamplingFactors")
    if isinstance(own, list) and all(not isinstance(f, list) for f in own):
        return own
    level = re.fullmatch(r"s(\d+)", meta.array.path.rpartition("/")[2])
    for parent in meta.parents[:1]:
        scales = parent.attrs.get("scales")
        if level and isinstance(scales, list) and int(level.group(1)) < len(scales):
            found = scales[int(level.group(1))]
            return found if isinstance(found, list) else None
    return None


def parse(meta: MetadataInput) -> Geometry | None:
    """The geometry of an N5 array from its own attributes (or its groups' resolution)."""
    if not meta.reversed_axes:
        return None
    array = meta.array
    factors = _factors(meta)
    found, source = _resolution(array), array
    for parent in meta.parents if found is None else ():
        found, source = _resolution(parent), parent
        if found is not None:
            break
    stored_offset = array.attrs.get("offset")
    axes = array.attrs.get("axes")
    if found is None and not isinstance(stored_offset, list) and not isinstance(axes, list):
        return None
    names = tuple(str(a) for a in axes[::-1]) if isinstance(axes, list) else None
    squeeze = 0
    voxel = units = None
    voxel_from = offset_from = ""
    if found is not None:
        values, units, attribute = found
        if isinstance(factors, list) and len(factors) == len(values):
            attribute += " x 'downsamplingFactors'"
            values = [
                to_decimal(v, attribute=attribute, where=source.where)
                * to_decimal(f, attribute=attribute, where=source.where)
                for v, f in zip(values, factors, strict=True)
            ]
        values, units, squeeze = _spatial(
            values[::-1], _reverse(units), names, meta.shape, source.where
        )
        voxel = nanometres(values, units, attribute=attribute, where=source.where)
        voxel_from = stated(values, units, attribute=attribute, where=source.where)
    offset: tuple[Decimal | int, ...] | None = None
    if isinstance(stored_offset, list):  # in the units of the resolution
        offset = nanometres(stored_offset[::-1], units, attribute="'offset'", where=array.where)
        offset_from = stated(stored_offset[::-1], units, attribute="'offset'", where=array.where)
    elif isinstance(array.attrs.get("transform"), dict):
        transform = cosem.parse(meta)  # CellMap: pixelResolution and a COSEM transform
        if transform is not None and transform.offset is not None:
            offset, offset_from = transform.offset, transform.offset_from
    return Geometry(
        convention="N5 attributes",
        where=array.where if found is None or source is array else source.where,
        voxel_size=voxel,
        offset=offset,
        axes=names[squeeze:] if names else None,
        squeeze=squeeze,
        voxel_from=voxel_from,
        offset_from=offset_from,
    )


def _reverse(units: Any) -> Any:
    return units[::-1] if isinstance(units, list) else units


def _spatial(
    values: list[Any],
    units: Any,
    names: tuple[str, ...] | None,
    shape: tuple[int, ...],
    where: str,
) -> tuple[list[Any], Any, int]:
    """Drop the channel entry of a per-dimension resolution (tensorstore writes one per axis),
    and leading time entries (``units`` in seconds) of size 1: ``(values, units, squeeze)``."""
    squeeze = 0
    if isinstance(units, list) and len(values) == len(shape) == len(units):
        while squeeze < len(units) and str(units[squeeze]).lower() in TIME_UNITS:
            if shape[squeeze] != 1:
                raise MetadataError(
                    f"dimension {squeeze} (unit {units[squeeze]!r}) of the N5 array in {where} "
                    f"is not space and has size {shape[squeeze]}; only size 1 can be left "
                    f"out: export one time point"
                )
            squeeze += 1
        values, units = values[squeeze:], units[squeeze:]
    ndim = len(shape) - squeeze
    if (
        len(values) == ndim
        and names
        and (names[squeeze] == "c" or is_channel_marker(names[squeeze]))
    ):
        return values[1:], units[1:] if isinstance(units, list) else units, squeeze
    return values, units, squeeze
