"""``ZarrArray._daisy_array``: the funlib-style view DaCapo's post-processors and workers use.

It answers ``roi``, ``voxel_size``, ``chunk_shape``, ``dtype``, ``axes``/``axis_names``,
``to_ndarray(roi=None, fill_value=0)`` (the part of ``roi`` outside the data is filled, as
funlib's ``Array.to_ndarray`` does) and reads / writes by ``Roi`` with ``[]``. It needs no
optional dependency; ``Array.to_funlib()`` gives a real ``funlib.persistence.Array``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Coordinate, Roi

if TYPE_CHECKING:
    from .zarr_array import ZarrArray


class DaisyArray:
    """funlib-style access to a :class:`ZarrArray` (voxels stay in the store)."""

    def __init__(self, array: ZarrArray) -> None:
        self._array = array

    @property
    def roi(self) -> Roi:
        return self._array.roi

    @property
    def voxel_size(self) -> Coordinate:
        return self._array.voxel_size

    @property
    def chunk_shape(self) -> Coordinate:
        """Spatial chunk shape in voxels (funlib's ``chunk_shape``)."""
        return Coordinate(self._array.chunk_shape)

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._array.dtype

    @property
    def axis_names(self) -> list[str]:
        return self._array.axes

    @property
    def shape(self) -> tuple[int, ...]:
        return self._array.shape

    @property
    def data(self) -> Any:
        return self._array.data

    def to_ndarray(self, roi: Roi | None = None, fill_value: Any = 0) -> np.ndarray:
        """The voxels of ``roi`` (default: all), ``fill_value`` where ``roi`` leaves the data.

        ``roi`` must be aligned with the voxel size (it may reach outside the array).
        """
        array = self._array
        roi = array.roi if roi is None else roi
        inside = roi.intersect(array.roi)
        if inside == roi:
            return array[roi]
        out = np.full(array._request_shape(roi), fill_value, dtype=array.dtype)
        if not inside.empty:
            begin = (inside.begin - roi.begin) / array.voxel_size
            end = (inside.end - roi.begin) / array.voxel_size
            spatial = tuple(slice(b, e) for b, e in zip(begin, end, strict=True))
            out[(slice(None),) * (out.ndim - len(spatial)) + spatial] = array[inside]
        return out

    def __getitem__(self, roi: Roi) -> np.ndarray:
        return self._array[roi]

    def __setitem__(self, roi: Roi, value: Any) -> None:
        self._array[roi] = value

    def __repr__(self) -> str:
        return f"DaisyArray({self._array!r})"
