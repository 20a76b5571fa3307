"""``ConstantArrayConfig``: a constant value with the geometry of a source array."""

from __future__ import annotations

import numbers
from typing import Any

import attrs

from ._fields import help_text
from .array_config import ArrayConfig, is_config
from .constant_array import ConstantArray, constant_dtype


def _to_number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"'constant' must be a number (e.g. 1 or 0.5); got {value!r}")
    return int(value) if isinstance(value, numbers.Integral) else float(value)


@attrs.frozen
class ConstantArrayConfig(ArrayConfig):
    """A constant value with the geometry of a source array (which is never read).

    The array's dtype is the smallest that holds ``constant`` exactly (see
    ``constant_array.constant_dtype``): ``uint8`` for 0 and 1, ``float32`` for 0.5.
    """

    array_type = ConstantArray

    source_array_config: ArrayConfig = attrs.field(
        validator=is_config, metadata=help_text("The array whose geometry is copied.")
    )
    constant: int | float = attrs.field(
        default=1, converter=_to_number, metadata=help_text("The value of every voxel.")
    )

    def _problems(self) -> list[str]:
        try:
            constant_dtype(self.constant)
        except ValueError as err:
            return [str(err)]
        return []
