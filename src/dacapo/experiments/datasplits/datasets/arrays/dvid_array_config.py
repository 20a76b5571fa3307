"""``DVIDArrayConfig``: an array served by a DVID server."""

from __future__ import annotations

import attrs

from ._fields import help_text
from .array_config import ArrayConfig
from .dvid_array import DVIDArray


@attrs.frozen
class DVIDArrayConfig(ArrayConfig):
    """An array served by a DVID server."""

    array_type = DVIDArray

    source: tuple[str, str, str] = attrs.field(
        converter=tuple, metadata=help_text("(server URL, node uuid, data instance name).")
    )
