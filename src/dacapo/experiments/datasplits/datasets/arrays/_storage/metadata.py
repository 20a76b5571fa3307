"""Voxel size, offset and axes of a stored array: conventions tried in order, then checked.

First match wins: OME-NGFF multiscales on a parent group, N5 attributes, the COSEM
``transform``, plain attributes (see each module). :func:`resolve` then fills what was not
stated (voxel size 1, offset 0, axes ``["c", "z", "y", "x"]`` cut to the rank), applies a
config's axes override, and checks that the result is consistent, naming the file on error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays.errors import GeometryError, MetadataError

from . import cosem, n5, ome_ngff, plain
from .conflicts import conflicts
from .nodes import Geometry, MetadataInput, is_channel_marker
from .units import NM, WorldUnit, to_decimal, to_world

Parser = Callable[[MetadataInput], Geometry | None]

PARSERS: tuple[Parser, ...] = (ome_ngff.parse, n5.parse, cosem.parse, plain.parse)

CHANNEL = "c"
SPATIAL_DEFAULT = ("z", "y", "x")


def read_geometry(meta: MetadataInput) -> Geometry:
    """What the first convention that matches says (an empty Geometry if none does), with a
    note for each other statement of the voxel size or offset that disagrees with it."""
    for parser in PARSERS:
        found = parser(meta)
        if found is not None:
            disagree = conflicts(meta, found, PARSERS)
            return attrs.evolve(found, notes=(*found.notes, *disagree)) if disagree else found
    return Geometry(convention="no metadata", where=meta.array.where)


@attrs.frozen
class Resolved:
    """Complete, consistent geometry of an array as presented (after ``squeeze``)."""

    axes: list[str]
    voxel_size: Coordinate
    offset: Coordinate
    squeeze: int
    #: What was read other than as written (snapped calibrations, centre-aligned levels).
    notes: tuple[str, ...] = ()


def normalise_axis(name: str, where: str) -> str:
    """funlib's channel markers (``c^``, ``c0^``, ``channel^``) are ``"c"``; other ``^`` axes
    (``sample^``) are dropped by the parsers where they lead with size 1, refused elsewhere."""
    if name.endswith("^"):
        if is_channel_marker(name):
            return CHANNEL
        raise MetadataError(
            f"axis {name!r} in {where} is a non-spatial axis other than channels, which "
            f"arrays do not support (only leading ones of size 1 are left out); override the "
            f"axes with ZarrArrayConfig(axes=[...]) or export the data without it"
        )
    return name


def _default_axes(ndim: int, n_spatial: int | None, where: str) -> list[str]:
    spatial = min(ndim, len(SPATIAL_DEFAULT)) if n_spatial is None else n_spatial
    extra = ndim - spatial
    if extra not in (0, 1) or spatial > len(SPATIAL_DEFAULT) or spatial < 1:
        raise MetadataError(
            f"cannot name the axes of a {ndim}-D array with {spatial} spatial dimension(s) "
            f"from {where}; name them with ZarrArrayConfig(axes=['c', 'z', 'y', 'x'])"
        )
    return [CHANNEL] * extra + list(SPATIAL_DEFAULT[-spatial:])


def _axes_problem(axes: list[str], ndim: int) -> str | None:
    if len(axes) != ndim:
        return f"name {len(axes)} axes, but the array has {ndim} dimensions"
    if len(set(axes)) != len(axes):
        return "repeat a name"
    if CHANNEL in axes[1:]:
        return "put the channel axis 'c' after a spatial axis (channels must come first)"
    return None


def _world(
    values: tuple[Any, ...] | None,
    source: str,
    *,
    world: WorldUnit,
    notes: list[str],
    config: str,
    field: str,
) -> tuple[int, ...] | None:
    if values is None:
        return None
    exact = tuple(to_decimal(v, attribute=field, where=source) for v in values)
    return to_world(exact, world=world, source=source, notes=notes, config=config, field=field)


def resolve(
    geometry: Geometry,
    shape: tuple[int, ...],
    override: list[str] | None,
    *,
    world: WorldUnit = NM,
    voxel_size: Coordinate | None = None,
    offset: Coordinate | None = None,
    config: str = "ZarrArrayConfig",
) -> Resolved:
    """Fill defaults, apply the config's overrides (``axes``; ``voxel_size`` and ``offset`` in
    world units), convert to whole ``world`` units and check everything fits ``shape``."""
    where = f"{geometry.convention} in {geometry.where}"
    ndim = len(shape) - geometry.squeeze
    notes = list(geometry.notes)
    if geometry.squeeze:
        notes.append(
            f"{where}: the leading {geometry.squeeze} dimension(s) of size 1 are neither "
            f"space nor channel axes and are left out (read at index 0): shape "
            f"{tuple(shape)} read as {tuple(shape[geometry.squeeze :])}"
        )
    kw: dict[str, Any] = {"world": world, "notes": notes, "config": config}
    voxel = (
        tuple(voxel_size)
        if voxel_size is not None
        else _world(geometry.voxel_size, geometry.voxel_from or where, field="voxel_size", **kw)
    )
    origin = (
        tuple(offset)
        if offset is not None
        else _world(geometry.offset, geometry.offset_from or where, field="offset", **kw)
    )
    stated = voxel or origin
    if override is not None:
        axes = [normalise_axis(str(a), f"{config}.axes") for a in override]
    elif geometry.axes is not None:
        axes = [normalise_axis(a, where) for a in geometry.axes]
        if len(axes) == ndim - 1 and CHANNEL not in axes:
            axes = [CHANNEL, *axes]  # spatial names only: the leading extra axis is channels
    else:
        axes = _default_axes(ndim, len(stated) if stated else None, where)
    problem = _axes_problem(axes, ndim)
    if problem and override is not None:
        raise GeometryError(f"axes {axes} from {config}.axes {problem}")
    if problem:
        raise MetadataError(
            f"axes {axes} from {where} {problem}; fix the metadata or override the axes with "
            f"{config}(axes=[...])"
        )
    n_spatial = len([a for a in axes if a != CHANNEL])
    voxel = voxel or (1,) * n_spatial
    origin = origin or (0,) * n_spatial
    for label, values in (("voxel size", voxel), ("offset", origin)):
        if len(values) != n_spatial:
            raise MetadataError(
                f"the {label} {tuple(values)} from {where} has {len(values)} entries, but "
                f"the array has {n_spatial} spatial axes {axes[-n_spatial:]}; fix the "
                f"metadata or override the axes with {config}(axes=[...])"
            )
    if any(v <= 0 for v in voxel):
        raise MetadataError(f"the voxel size {tuple(voxel)} from {where} must be positive")
    if any(o % v for o, v in zip(origin, voxel, strict=True)):
        below = tuple(o - o % v for o, v in zip(origin, voxel, strict=True))
        raise MetadataError(
            f"the offset {tuple(origin)} from {where} is not a multiple of the voxel size "
            f"{tuple(voxel)} (both in {world}): arrays address whole voxels on the grid of "
            f"their voxel size, and nothing is shifted silently. To read it, shift it "
            f"explicitly with {config}(offset={below}) (the stored offset stays in attrs)"
        )
    return Resolved(axes, Coordinate(voxel), Coordinate(origin), geometry.squeeze, tuple(notes))
