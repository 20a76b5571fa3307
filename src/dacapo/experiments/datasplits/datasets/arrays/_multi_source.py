"""What the arrays computed from several sources share (concat, merge-instances, sum).

Checking that the sources' geometry agrees, with errors that name each source and its value;
every virtual array with several sources checks their world units (``same_world_unit``).
(The sources themselves are built by ``VirtualArray`` through the one build walk.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from funlib.geometry import Coordinate, Roi

from ._geometry import format_coordinate, format_roi
from ._storage.units import WORLD_UNIT, WorldUnit, world_of
from .array import Array
from .errors import GeometryError

if TYPE_CHECKING:
    from .array_config import ArrayConfig

#: A source as messages name it, e.g. ``("source_array_configs[1]", array)``.
Named = tuple[str, Array]


def to_config_list(value: Iterable[ArrayConfig]) -> list[ArrayConfig]:
    """A config field's list of source configs (a fresh list)."""
    return list(value)


def to_config_dict(value: Mapping[str, ArrayConfig] | Iterable[Any]) -> dict[str, ArrayConfig]:
    """A config field's mapping of names to source configs (a fresh dict)."""
    return dict(value)


def describe(array: Array) -> str:
    """``ZarrArray 'gt' (dataset 'labels/s0' in '/data/c.zarr')``: a source as users know it."""
    dataset = getattr(array, "dataset", None)
    file_name = getattr(array, "file_name", None)
    where = (
        f" (dataset {dataset!r} in {str(file_name)!r})"
        if dataset is not None and file_name is not None
        else ""
    )
    return f"{array._label()}{where}"


def _name(named: Named) -> str:
    label, array = named
    return f"{label} ({describe(array)})"


def same_spatial_axes(sources: Sequence[Named], owner: str) -> list[str]:
    """The spatial axes every source shares; ``GeometryError`` naming two that differ."""
    first = sources[0]
    for other in sources[1:]:
        if other[1].spatial_axes != first[1].spatial_axes:
            raise GeometryError(
                f"{owner}: sources differ in spatial axes: {_name(first)} has "
                f"{first[1].spatial_axes}, {_name(other)} has {other[1].spatial_axes}; every "
                f"source must have the same spatial axes (override them with "
                f"ZarrArrayConfig(axes=...) if the stored ones are wrong)"
            )
    return first[1].spatial_axes


def same_voxel_size(sources: Sequence[Named], owner: str) -> Coordinate:
    """The voxel size every source shares; ``GeometryError`` naming two that differ."""
    first = sources[0]
    for other in sources[1:]:
        if other[1].voxel_size != first[1].voxel_size:
            raise GeometryError(
                f"{owner}: sources differ in voxel size: {_name(first)} has "
                f"{format_coordinate(first[1].voxel_size)}, {_name(other)} has "
                f"{format_coordinate(other[1].voxel_size)}; every source must have the same "
                f"voxel size: resample one of them (ResampledArrayConfig)"
            )
    return first[1].voxel_size


def same_world_unit(sources: Sequence[Named], owner: str) -> WorldUnit:
    """The world unit every source is in; ``GeometryError`` naming two that differ and the
    fix (the same ``world_unit`` on every stored config of the tree)."""
    first = sources[0]
    unit = world_of(first[1].attrs)
    for other in sources[1:]:
        found = world_of(other[1].attrs)
        if found.nm != unit.nm:
            finer = min((unit, found), key=lambda w: w.nm)
            raise GeometryError(
                f"{owner}: sources differ in world unit: {_name(first)} is in "
                f"{unit.text!r}, {_name(other)} in {found.text!r}; every array of one tree "
                f"must use the same world unit: set world_unit={finer.text!r} on every "
                f"stored config of the tree (ZarrArrayConfig(world_unit={finer.text!r}), "
                f"TiffArrayConfig(world_unit={finer.text!r}))"
            )
    return unit


def world_unit_attrs(array: Array) -> dict[str, Any]:
    """``{"dacapo_arrays:world_unit": ...}`` of ``array`` (empty for nm): what a kind whose
    ``attrs`` are its own keeps of its sources', so writers and viewers see the unit."""
    found = array.attrs.get(WORLD_UNIT)
    return {} if found is None else {WORLD_UNIT: found}


def intersect_rois(sources: Sequence[Named], owner: str) -> Roi:
    """The region every source covers; ``GeometryError`` listing the ROIs when it is empty."""
    roi = sources[0][1].roi
    for _, array in sources[1:]:
        roi = roi.intersect(array.roi)
    if roi.empty:
        listing = "; ".join(f"{_name(s)}: {format_roi(s[1].roi)}" for s in sources)
        raise GeometryError(
            f"{owner}: the sources do not overlap ({listing}); their ROIs must share at least "
            f"one voxel: crop them to a common region or choose other sources"
        )
    return roi


def without_channel_axis(sources: Sequence[Named], owner: str, what: str) -> None:
    """``GeometryError`` for the first source with a ``c`` axis (``what`` says why not)."""
    for source in sources:
        if source[1].num_channels is not None:
            raise GeometryError(
                f"{owner}: {_name(source)} has a channel axis (axes {source[1].axes}, "
                f"{source[1].num_channels} channels), but {what}; pass an array without "
                f"channels"
            )
