"""``NumpyArray``: an in-memory ``numpy.ndarray`` with world-unit geometry."""

from __future__ import annotations

from typing import Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from ._geometry import format_coordinate, format_roi, to_coordinate, to_roi
from .array import CHANNEL_AXIS, Array, ArraySpec
from .errors import GeometryError

DEFAULT_AXES = ("c", "z", "y", "x")


def default_axes(ndim: int) -> list[str]:
    """``["c", "z", "y", "x"]`` cut to the last ``ndim`` entries."""
    if not 1 <= ndim <= len(DEFAULT_AXES):
        raise GeometryError(
            f"cannot guess axis names for {ndim}-dimensional data; pass axes explicitly, "
            f"e.g. ['c', 'z', 'y', 'x']"
        )
    return list(DEFAULT_AXES[-ndim:])


def check_axes(axes: list[str], ndim: int, what: str) -> list[str]:
    """Validate axis names for ``ndim``-dimensional data: unique, ``"c"`` only first."""
    axes = [str(a) for a in axes]
    if len(axes) != ndim:
        raise GeometryError(
            f"{what} has {ndim} dimensions but axes {axes} name {len(axes)}; give one name "
            f"per dimension, e.g. {default_axes(ndim) if ndim <= 4 else '[...]'}"
        )
    if len(set(axes)) != len(axes):
        raise GeometryError(f"axes {axes} of {what} repeat a name; each axis needs its own")
    if CHANNEL_AXIS in axes[1:]:
        raise GeometryError(
            f"axes {axes} of {what} put the channel axis 'c' after a spatial axis; "
            f"channels must come first, e.g. ['c', 'z', 'y', 'x']"
        )
    return axes


class NumpyArray(Array):
    """A writable array held in memory.

    >>> import numpy as np
    >>> array = NumpyArray(np.zeros((10, 10, 10)))
    >>> array.axes, array.voxel_size, array.roi
    (['z', 'y', 'x'], (1, 1, 1), [0:10, 0:10, 0:10] (10, 10, 10))
    >>> labels = NumpyArray.from_np_array(
    ...     np.arange(8, dtype=np.uint8).reshape(2, 2, 2),
    ...     roi=Roi((8, 8, 8), (8, 8, 8)),
    ...     voxel_size=(4, 4, 4),
    ...     axes=["z", "y", "x"],
    ... )
    >>> labels[Roi((12, 8, 8), (4, 8, 8))]
    array([[[4, 5],
            [6, 7]]], dtype=uint8)

    ``array[roi]`` returns a copy: writing into it does not change the array; write with
    ``array[roi] = values`` instead.
    """

    def __init__(
        self,
        array_config: Any,
        roi: Roi | None = None,
        voxel_size: Any = None,
        axes: list[str] | None = None,
        *,
        name: str = "",
    ) -> None:
        if not isinstance(array_config, np.ndarray):
            raise RuntimeError(
                f"NumpyArray cannot be built from a config ({type(array_config).__name__}); "
                f"wrap data with NumpyArray.from_np_array(array, roi, voxel_size, axes)"
            )
        data = array_config
        axes = check_axes(
            default_axes(data.ndim) if axes is None else list(axes), data.ndim, "the data"
        )
        n_spatial = len([a for a in axes if a != CHANNEL_AXIS])
        spatial_shape = Coordinate(data.shape[-n_spatial:])
        voxel = (
            Coordinate((1,) * n_spatial)
            if voxel_size is None
            else to_coordinate(voxel_size, "voxel_size")
        )
        if voxel.dims != n_spatial:
            raise GeometryError(
                f"voxel_size {format_coordinate(voxel)} has {voxel.dims} entries but the data "
                f"has {n_spatial} spatial axes {axes[-n_spatial:]}; give one per spatial axis"
            )
        if any(v <= 0 for v in voxel):
            raise GeometryError(f"voxel_size must be positive; got {format_coordinate(voxel)}")
        roi = Roi((0,) * n_spatial, spatial_shape * voxel) if roi is None else to_roi(roi)
        if roi.shape != spatial_shape * voxel or not roi.begin.is_multiple_of(voxel):
            raise GeometryError(
                f"roi {format_roi(roi)} does not fit data of spatial shape "
                f"{tuple(spatial_shape)} with voxel size {format_coordinate(voxel)}: its shape "
                f"must be {tuple(spatial_shape * voxel)} and its offset a multiple of the "
                f"voxel size"
            )
        self.name = name
        self._data: np.ndarray = data
        channels = int(data.shape[0]) if axes[0] == CHANNEL_AXIS else None
        self.spec = ArraySpec(axes, voxel, roi, data.dtype, num_channels=channels)

    @classmethod
    def from_np_array(
        cls, array: np.ndarray, roi: Roi, voxel_size: Any, axes: list[str], *, name: str = ""
    ) -> NumpyArray:
        """Wrap ``array`` whose spatial extent is ``roi`` (world units) at ``voxel_size``."""
        return cls(np.asarray(array), roi, voxel_size, axes, name=name)

    @classmethod
    def from_gp_array(cls, array: Any, *, name: str = "") -> NumpyArray:
        """Wrap a ``gunpowder.Array``: one leading extra dimension becomes ``"c"``."""
        data = np.asarray(array.data)
        roi, voxel_size = array.spec.roi, array.spec.voxel_size
        extra = data.ndim - roi.dims
        if extra not in (0, 1) or roi.dims > 3:
            raise GeometryError(
                f"cannot name the axes of a gunpowder array with data shape {data.shape} and "
                f"a {roi.dims}-D ROI: only one leading channel dimension and at most 3 spatial "
                f"dimensions are supported; use NumpyArray.from_np_array with explicit axes"
            )
        axes = ["c"] * extra + ["z", "y", "x"][-roi.dims :]
        return cls(data, roi, voxel_size, axes, name=name)

    @property
    def writable(self) -> bool:
        return True

    @property
    def data(self) -> np.ndarray:
        """The wrapped ``numpy.ndarray`` itself (writes through it change the array)."""
        return self._data

    def _read(self, roi: Roi) -> np.ndarray:
        return self._data[self._slices(roi)].copy()

    def _write(self, roi: Roi, value: np.ndarray) -> None:
        self._data[self._slices(roi)] = value
