"""``CropArrayConfig``: a source array restricted to a region."""

from __future__ import annotations

import attrs
from funlib.geometry import Roi

from ._fields import roi_field, source_field
from .array_config import ArrayConfig
from .crop_array import CropArray


@attrs.frozen
class CropArrayConfig(ArrayConfig):
    """A source array restricted to ``roi`` (intersected with the source's ROI).

    ``roi`` must be voxel-aligned and overlap the source; both are checked when the array is
    built, since they need the source's metadata.
    """

    array_type = CropArray

    source_array_config: ArrayConfig = source_field("The array to crop.")
    roi: Roi = roi_field("The region to keep (world units, voxel-aligned).")

    def _problems(self) -> list[str]:
        if any(s == 0 for s in self.roi.shape):
            return [
                f"roi {list(self.roi.offset)}, shape {list(self.roi.shape)} is empty; give "
                f"every axis a positive size"
            ]
        return []
