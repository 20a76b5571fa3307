"""Plain zarr attributes, as funlib, daisy, xarray and the original DaCapo write them.

* voxel size: ``resolution`` (funlib < 0.5, DaCapo), ``voxel_size`` (funlib >= 0.5) or ``scale``;
* ``offset`` in world units; ``units`` (one per spatial axis, or one for all; default nm);
* axis names: ``axes`` (DaCapo), ``axis_names`` (funlib; ``"c^"`` marks channels), else
  ``_ARRAY_DIMENSIONS`` (xarray, zarr v2) or the zarr v3 ``dimension_names``.

When the array states no voxel size or offset, its parent group's are used (funlib did so).
"""

from __future__ import annotations

from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

from .nodes import Geometry, MetadataInput, Node, is_channel_marker
from .units import nanometres, stated

_VOXEL_KEYS = ("resolution", "voxel_size", "scale")


def _voxel(node: Node) -> tuple[str, list[Any]] | None:
    for key in _VOXEL_KEYS:
        if isinstance(node.attrs.get(key), list):
            return key, node.attrs[key]
    return None


def _names(value: Any, ndim: int) -> tuple[str, ...] | None:
    """Axis names from a list, or from one string of one-letter names (``"zyx"``)."""
    if isinstance(value, str) and len(value) == ndim:
        return tuple(value)
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], str) and ndim > 1:
        return _names(value[0], ndim) or (value[0],)  # DaCapo's fixtures stored ["zyx"]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _leading_extra(names: tuple[str, ...] | None, shape: tuple[int, ...], where: str) -> int:
    """How many leading funlib non-spatial axes (``sample^``; not channels) to index away."""
    count = 0
    while names and count < len(names) and names[count].endswith("^"):
        if is_channel_marker(names[count]):
            break
        if shape[count] != 1:
            raise MetadataError(
                f"axis {names[count]!r} in {where} is not spatial and has size "
                f"{shape[count]}; only size 1 can be left out: export one {names[count][:-1]}"
            )
        count += 1
    return count


def parse(meta: MetadataInput) -> Geometry | None:
    if meta.reversed_axes:
        return None
    ndim = len(meta.shape)
    source = meta.array
    if _voxel(source) is None and "offset" not in source.attrs and meta.parents:
        parent = meta.parents[0]
        if _voxel(parent) is not None or isinstance(parent.attrs.get("offset"), list):
            source = parent
    attrs = meta.array.attrs
    axes = _names(attrs.get("axes"), ndim) or _names(attrs.get("axis_names"), ndim)
    names = (
        axes
        or _names(attrs.get("_ARRAY_DIMENSIONS"), ndim)
        or _names(list(meta.dimension_names or []), ndim)
    )
    squeeze = _leading_extra(names, meta.shape, meta.array.where) if axes else 0
    found = _voxel(source)
    offset = source.attrs.get("offset")
    if found is None and not isinstance(offset, list) and names is None:
        return None
    units = source.attrs.get("units")
    voxel = offset_nm = None
    voxel_from = offset_from = ""
    if found is not None:
        key, values = found
        voxel = nanometres(values, units, attribute=f"'{key}'", where=source.where)
        voxel_from = stated(values, units, attribute=f"'{key}'", where=source.where)
    if isinstance(offset, list):
        offset_nm = nanometres(offset, units, attribute="'offset'", where=source.where)
        offset_from = stated(offset, units, attribute="'offset'", where=source.where)
    return Geometry(
        convention="plain attributes",
        where=source.where,
        voxel_size=voxel,
        offset=offset_nm,
        axes=names[squeeze:] if names else None,
        squeeze=squeeze,
        voxel_from=voxel_from,
        offset_from=offset_from,
    )
