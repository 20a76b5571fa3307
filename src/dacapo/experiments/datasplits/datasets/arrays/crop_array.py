"""``CropArray``: a source array restricted to a region, without copying anything."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs
import numpy as np
from funlib.geometry import Roi

from ._geometry import format_coordinate, format_roi
from ._virtual_array import VirtualArray
from .errors import ROIError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .crop_array_config import CropArrayConfig


class CropArray(VirtualArray):
    """The part of a source inside ``roi``: ``array.roi`` is ``roi`` ∩ the source's ROI.

    Reads are passed to the source unchanged; reads outside ``array.roi`` raise
    :class:`~.errors.ROIError` like any array's. Everything else (axes, dtype, channels,
    ``attrs``) is the source's.

    Building one raises :class:`~.errors.ROIError` when ``roi`` has other dimensions than
    the source, is not aligned with its voxel size, or does not overlap it.
    """

    def __init__(self, array_config: CropArrayConfig) -> None:
        super().__init__(array_config)
        self.crop_roi = array_config.roi
        self.spec = attrs.evolve(self.spec, roi=self._cropped(array_config.roi))

    def _cropped(self, crop: Roi) -> Roi:
        source = self.source
        voxel = format_coordinate(source.voxel_size)
        what = f"crop roi {format_roi(crop)} of CropArray {self.name!r}"
        where = f"{source._label()} (ROI {format_roi(source.roi)}, voxel size {voxel})"
        if crop.dims != source.roi.dims:
            raise ROIError(
                f"{what} has {crop.dims} dimensions, but {where} has {source.roi.dims}; give "
                f"one offset and one shape entry per spatial axis {source.spatial_axes}"
            )
        if not (
            crop.begin.is_multiple_of(source.voxel_size)
            and crop.shape.is_multiple_of(source.voxel_size)
        ):
            raise ROIError(
                f"{what} is not aligned with the voxel size of {where}; snap it with "
                f"roi.snap_to_grid({voxel})"
            )
        roi = crop.intersect(source.roi)
        if roi.empty:
            raise ROIError(
                f"{what} does not overlap {where}; choose a roi inside the source's ROI"
            )
        return roi

    @property
    def channels(self) -> Iterable[str]:
        """The source's channel names (only when the source has them)."""
        source = self.source
        if not hasattr(source, "channels"):
            raise AttributeError(
                f"CropArray {self.name!r} has no channel names: its source "
                f"{source._label()} has none"
            )
        return source.channels  # type: ignore[no-any-return]

    def _read(self, roi: Roi) -> np.ndarray:
        return self.source[roi]

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        return self.source.read_async(roi)
