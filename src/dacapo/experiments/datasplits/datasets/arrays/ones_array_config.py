"""``OnesArrayConfig``: ones with the geometry of a source array."""

from __future__ import annotations

import attrs

from ._fields import source_field
from .array_config import ArrayConfig
from .ones_array import OnesArray


@attrs.frozen
class OnesArrayConfig(ArrayConfig):
    """Ones with the geometry of a source array."""

    array_type = OnesArray

    source_array_config: ArrayConfig = source_field("The array whose geometry is copied.")
