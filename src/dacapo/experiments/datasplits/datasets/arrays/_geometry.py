"""Strict entry points into ``funlib.geometry``.

``funlib.geometry`` truncates silently (``Coordinate(1.7) == (1,)``) and accepts misaligned
ROIs. Every value that enters the model passes through :func:`to_coordinate` or
:func:`to_roi`, so nothing is ever rounded without an error, and every read or write request
passes through :func:`check_request`.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from .errors import GeometryError, ROIError

__all__ = [
    "check_request",
    "format_coordinate",
    "format_roi",
    "to_coordinate",
    "to_roi",
    "voxel_slices",
]


def _to_int(value: Any, what: str, whole: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise GeometryError(
            f"{what} must be whole numbers; got {whole!r} (element {value!r} is not a number)"
        )
    if isinstance(value, numbers.Integral):
        return int(value)
    as_float = float(value)
    if not as_float.is_integer():
        raise GeometryError(
            f"{what} must be whole numbers of world units (nm); got {whole!r}, "
            f"and {value!r} would be truncated. Convert it to an integer unit first "
            f"(e.g. express micrometres as nanometres)"
        )
    return int(as_float)


def to_coordinate(value: Any, what: str = "coordinate") -> Coordinate:
    """Return ``value`` as a :class:`Coordinate`, refusing anything that would be truncated.

    >>> to_coordinate([4, 4.0, np.int64(8)])
    (4, 4, 8)
    >>> to_coordinate((4.5, 4, 4), "voxel_size")
    Traceback (most recent call last):
    ...
    dacapo.experiments.datasplits.datasets.arrays.errors.GeometryError: voxel_size must be whole
    numbers of world units (nm); got (4.5, 4, 4), and 4.5 would be truncated...
    """
    if isinstance(value, Coordinate):
        return value
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise GeometryError(f"{what} must be a sequence of whole numbers; got {value!r}")
    items = list(value.tolist() if isinstance(value, np.ndarray) else value)
    if not items:
        raise GeometryError(f"{what} must have at least one dimension; got {value!r}")
    return Coordinate(tuple(_to_int(v, what, value) for v in items))


def to_roi(value: Any, what: str = "roi") -> Roi:
    """Return ``value`` (a :class:`Roi` or an ``(offset, shape)`` pair) as a :class:`Roi`.

    >>> to_roi([[0, 0, 0], [8, 16, 16]])
    [0:8, 0:16, 0:16] (8, 16, 16)
    """
    if isinstance(value, Roi):
        offset, shape = value.offset, value.shape
    elif isinstance(value, Sequence) and not isinstance(value, str) and len(value) == 2:
        offset, shape = value
    else:
        raise GeometryError(f"{what} must be a Roi or an (offset, shape) pair; got {value!r}")
    if offset is None or shape is None or None in tuple(offset) or None in tuple(shape):
        raise GeometryError(f"{what} must be bounded; got {value!r}")
    begin = to_coordinate(offset, f"{what} offset")
    size = to_coordinate(shape, f"{what} shape")
    if begin.dims != size.dims:
        raise GeometryError(
            f"{what} offset {tuple(begin)} and shape {tuple(size)} have different dimensions"
        )
    if any(s < 0 for s in size):
        raise GeometryError(f"{what} shape must not be negative; got {tuple(size)}")
    return Roi(begin, size)


def format_coordinate(value: Coordinate) -> str:
    """``(8, 8, 8)``: a coordinate as users write it."""
    return str(tuple(int(v) for v in value))


def format_roi(roi: Roi, units: str = "nm") -> str:
    """``[0:800, 0:800, 0:800] (nm)``: begin and end per axis, in world units."""
    if roi.empty:
        return "[empty ROI]"
    spans = ", ".join(f"{b}:{e}" for b, e in zip(roi.begin, roi.end, strict=True))
    return f"[{spans}] ({units})"


def check_request(roi: Roi, *, array_roi: Roi, voxel_size: Coordinate, name: str) -> Roi:
    """Check that ``roi`` can be read from (or written to) an array; return it as a Roi.

    The rule: same number of dimensions, begin and shape multiples of the voxel size, and
    inside the array's ROI. Every violation raises :class:`ROIError` naming both ROIs, the
    voxel size and the fix.
    """
    roi = to_roi(roi, "requested ROI")
    where = (
        f"array {name!r} (ROI {format_roi(array_roi)}, voxel size {format_coordinate(voxel_size)})"
    )
    if roi.dims != array_roi.dims:
        raise ROIError(
            f"ROI {format_roi(roi)} has {roi.dims} dimensions, but {where} has {array_roi.dims}; "
            f"request the spatial axes only, without the channel axis"
        )
    if not (roi.begin.is_multiple_of(voxel_size) and roi.shape.is_multiple_of(voxel_size)):
        raise ROIError(
            f"ROI {format_roi(roi)} is not aligned with voxel size "
            f"{format_coordinate(voxel_size)} of {where}; snap it with "
            f"roi.snap_to_grid({format_coordinate(voxel_size)})"
        )
    if not array_roi.contains(roi):
        raise ROIError(
            f"ROI {format_roi(roi)} is not inside {where}; intersect it with the array's ROI "
            f"first (roi.intersect(array.roi))"
        )
    return roi


def voxel_slices(roi: Roi, *, origin: Coordinate, voxel_size: Coordinate) -> tuple[slice, ...]:
    """Voxel slices of an aligned ``roi`` in data whose first voxel sits at world ``origin``."""
    start = (roi.begin - origin) / voxel_size
    stop = start + roi.shape / voxel_size
    return tuple(slice(int(a), int(b)) for a, b in zip(start, stop, strict=True))
