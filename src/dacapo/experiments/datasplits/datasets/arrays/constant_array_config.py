"""``ConstantArrayConfig``: a constant value with the geometry of a source array."""

from __future__ import annotations

import attrs

from ._fields import help_text, source_field
from .array_config import ArrayConfig
from .constant_array import ConstantArray


@attrs.frozen
class ConstantArrayConfig(ArrayConfig):
    """A constant value with the geometry of a source array."""

    array_type = ConstantArray

    source_array_config: ArrayConfig = source_field("The array whose geometry is copied.")
    constant: int | float = attrs.field(default=1, metadata=help_text("The value of every voxel."))
