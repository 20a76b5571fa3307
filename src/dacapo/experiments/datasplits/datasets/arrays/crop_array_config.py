"""``CropArrayConfig``: a source array restricted to a region."""

from __future__ import annotations

import attrs
from funlib.geometry import Roi

from ._fields import roi_field, source_field
from .array_config import ArrayConfig
from .crop_array import CropArray


@attrs.frozen
class CropArrayConfig(ArrayConfig):
    """A source array restricted to a region."""

    array_type = CropArray

    source_array_config: ArrayConfig = source_field("The array to crop.")
    roi: Roi = roi_field("The region to keep (world units, voxel-aligned).")
