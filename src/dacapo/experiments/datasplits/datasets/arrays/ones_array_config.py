"""``OnesArrayConfig`` (deprecated: use ``ConstantArrayConfig``): ones shaped like a source."""

from __future__ import annotations

import attrs

from ._fields import help_text
from .array_config import ArrayConfig, is_config
from .ones_array import OnesArray


@attrs.frozen
class OnesArrayConfig(ArrayConfig):
    """``True`` everywhere, with the geometry of a source array (which is never read)."""

    array_type = OnesArray

    source_array_config: ArrayConfig = attrs.field(
        validator=is_config, metadata=help_text("The array whose geometry is copied.")
    )
