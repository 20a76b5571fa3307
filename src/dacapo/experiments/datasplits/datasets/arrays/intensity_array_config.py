"""``IntensitiesArrayConfig``: intensities normalized to [0, 1] between min and max."""

from __future__ import annotations

import attrs

from ._fields import help_text, source_field
from .array_config import ArrayConfig
from .intensity_array import IntensitiesArray


@attrs.frozen
class IntensitiesArrayConfig(ArrayConfig):
    """Intensities normalized to [0, 1] between min and max."""

    array_type = IntensitiesArray

    source_array_config: ArrayConfig = source_field("The raw intensities.")
    min: float = attrs.field(converter=float, metadata=help_text("Maps to 0."))
    max: float = attrs.field(converter=float, metadata=help_text("Maps to 1."))
