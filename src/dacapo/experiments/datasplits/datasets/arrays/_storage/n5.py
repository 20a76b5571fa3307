"""N5 attributes: ``pixelResolution`` or ``resolution``, ``offset``, ``axes``, listed x, y, z.

Written by the N5 tools this way:

* Fiji / n5-ij and BigDataViewer: ``"pixelResolution": {"dimensions": [x, y, z], "unit": "um"}``;
* n5-viewer multiscales: ``pixelResolution`` on the group, ``downsamplingFactors`` per level
  (voxel size = group resolution x factors);
* funlib / daisy (and the original DaCapo): ``"resolution": [x, y, z]`` and ``"offset"`` in nm;
* tensorstore: ``"resolution"`` and ``"units"`` with one entry per dimension, ``"axes"``.

N5 lists dimensions fastest-first, so every list is reversed to the z, y, x order we present.
"""

from __future__ import annotations

from typing import Any

from .nodes import Geometry, MetadataInput, Node
from .units import to_decimal, whole_nanometres

#: Keys of an N5 array's ``attributes.json`` that are its metadata, not user attributes.
RESERVED = frozenset(("dimensions", "blockSize", "dataType", "compression"))


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


def parse(meta: MetadataInput) -> Geometry | None:
    """The geometry of an N5 array from its own attributes (or its group's resolution)."""
    if not meta.reversed_axes:
        return None
    array = meta.array
    factors = array.attrs.get("downsamplingFactors")
    found, source = _resolution(array), array
    if found is None and isinstance(factors, list) and meta.parents:
        found, source = _resolution(meta.parents[0]), meta.parents[0]
    stored_offset = array.attrs.get("offset")
    axes = array.attrs.get("axes")
    if found is None and not isinstance(stored_offset, list) and not isinstance(axes, list):
        return None
    names = tuple(str(a) for a in axes[::-1]) if isinstance(axes, list) else None
    voxel = units = None
    if found is not None:
        values, units, attribute = found
        if isinstance(factors, list) and len(factors) == len(values):
            attribute += " x 'downsamplingFactors'"
            values = [
                to_decimal(v, attribute=attribute, where=source.where)
                * to_decimal(f, attribute=attribute, where=source.where)
                for v, f in zip(values, factors, strict=True)
            ]
        values, units = _spatial(values[::-1], _reverse(units), names, len(meta.shape))
        voxel = whole_nanometres(values, units, attribute=attribute, where=source.where)
    offset = None
    if isinstance(stored_offset, list):  # in the units of the resolution
        offset = whole_nanometres(
            stored_offset[::-1], units, attribute="'offset'", where=array.where
        )
    return Geometry(
        convention="N5 attributes",
        where=array.where if found is None or source is array else source.where,
        voxel_size=voxel,
        offset=offset,
        axes=names,
    )


def _reverse(units: Any) -> Any:
    return units[::-1] if isinstance(units, list) else units


def _spatial(
    values: list[Any], units: Any, names: tuple[str, ...] | None, ndim: int
) -> tuple[list[Any], Any]:
    """Drop the channel entry of a per-dimension resolution (tensorstore writes one per axis)."""
    if len(values) == ndim and names and names[0] in ("c", "c^"):
        return values[1:], units[1:] if isinstance(units, list) else units
    return values, units
