"""``CropArrayConfig``: a source array restricted to a region."""

from __future__ import annotations

import attrs
from funlib.geometry import Roi

from ._fields import help_text
from ._geometry import to_roi
from .array_config import ArrayConfig, is_config
from .crop_array import CropArray


@attrs.frozen
class CropArrayConfig(ArrayConfig):
    """A source array restricted to ``roi`` (intersected with the source's ROI).

    ``roi`` must be voxel-aligned and overlap the source; both are checked when the array is
    built, since they need the source's metadata.
    """

    array_type = CropArray

    source_array_config: ArrayConfig = attrs.field(
        validator=is_config, metadata=help_text("The array to crop.")
    )
    roi: Roi = attrs.field(
        converter=to_roi, metadata=help_text("The region to keep (world units, voxel-aligned).")
    )

    def _problems(self) -> list[str]:
        if any(s == 0 for s in self.roi.shape):
            return [
                f"roi {list(self.roi.offset)}, shape {list(self.roi.shape)} is empty; give "
                f"every axis a positive size"
            ]
        return []
