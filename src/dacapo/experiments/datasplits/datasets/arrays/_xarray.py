"""``Array.to_xarray()``: a lazy ``xarray.DataArray`` (dask-backed) in world coordinates.

Dims are the array's axes; every spatial axis has a coordinate in nm at voxel *centres*
(``begin + (i + 0.5) * voxel_size``) with ``attrs["units"] = "nm"``; ``c`` is numbered.
The DataArray's attrs are the array's ``attrs`` plus ``coordinate_positions: "voxel
centres"``, ``voxel_size_nm``, ``roi_offset_nm`` (the ROI's begin, a voxel corner) and
``is_labels`` where known (not ``coordinates``: netCDF's CF conventions give it a meaning).
Install with ``pip install 'dacapo-arrays[xarray]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .array import CHANNEL_AXIS

if TYPE_CHECKING:
    import xarray

    from .array import Array

#: Says where the coordinates sit (xarray's own convention says nothing).
COORDINATES = "voxel centres"


def to_xarray(array: Array) -> xarray.DataArray:
    try:
        import xarray
    except ImportError as err:
        raise ImportError(
            "Array.to_xarray() needs xarray and dask; install them with "
            "pip install 'dacapo-arrays[xarray]'"
        ) from err
    coords: dict[str, Any] = {}
    spatial = iter(zip(array.roi.begin, array.voxel_size, array.shape[-array.dims :], strict=True))
    for axis, size in zip(array.axes, array.shape, strict=True):
        if axis == CHANNEL_AXIS:
            coords[axis] = np.arange(size)
            continue
        begin, voxel, count = next(spatial)
        centres = begin + (np.arange(count) + 0.5) * voxel
        coords[axis] = xarray.Variable(axis, centres, attrs={"units": "nm"})
    attrs = dict(array.attrs)
    attrs.update(
        coordinate_positions=COORDINATES,
        voxel_size_nm=tuple(int(v) for v in array.voxel_size),
        roi_offset_nm=tuple(int(o) for o in array.roi.begin),
    )
    if array.is_labels is not None:
        attrs["is_labels"] = bool(array.is_labels)
    return xarray.DataArray(
        array.to_dask(), dims=array.axes, coords=coords, attrs=attrs, name=array.name or None
    )
