"""Voxel size, offset and axes from stored attributes: pure parsers tried in order.

Each parser takes the attributes of the array (and of its parent group) and returns a
:class:`Geometry` or ``None`` when its convention is absent. The first match wins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays._geometry import to_coordinate


@attrs.frozen
class Geometry:
    voxel_size: Coordinate | None = None
    offset: Coordinate | None = None
    axes: list[str] | None = None
    units: list[str] | None = None


Parser = Callable[[dict[str, Any], bool], Geometry | None]


def plain(attributes: dict[str, Any], reversed_axes: bool) -> Geometry | None:
    """``resolution`` / ``offset`` / ``axes`` (or ``axis_names``) / ``units`` attributes."""
    resolution = attributes.get("resolution", attributes.get("voxel_size"))
    pixel = attributes.get("pixelResolution")
    if resolution is None and isinstance(pixel, dict):
        resolution = pixel.get("dimensions")
    offset = attributes.get("offset")
    axes = attributes.get("axes", attributes.get("axis_names"))
    if resolution is None and offset is None and axes is None:
        return None

    def ordered(values: Any) -> Any:
        return None if values is None else list(values)[::-1] if reversed_axes else list(values)

    return Geometry(
        voxel_size=None
        if resolution is None
        else to_coordinate(ordered(resolution), "resolution"),
        offset=None if offset is None else to_coordinate(ordered(offset), "offset"),
        axes=ordered(axes),
        units=ordered(attributes.get("units")),
    )


PARSERS: tuple[Parser, ...] = (plain,)


def read_geometry(attributes: dict[str, Any], *, reversed_axes: bool) -> Geometry:
    for parser in PARSERS:
        found = parser(attributes, reversed_axes)
        if found is not None:
            return found
    return Geometry()
