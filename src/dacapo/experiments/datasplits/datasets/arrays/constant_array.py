"""``ConstantArray``: one value everywhere a source is, without reading the source."""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from funlib.geometry import Roi

from ._labels import labels_by_dtype
from ._virtual_array import VirtualArray
from .array import Array
from .errors import ConfigError

if TYPE_CHECKING:
    from .constant_array_config import ConstantArrayConfig


def constant_dtype(constant: int | float) -> np.dtype[Any]:
    """The smallest dtype that holds ``constant`` exactly.

    Integers: the smallest unsigned type for non-negative values, else the smallest signed
    one (``numpy.min_scalar_type``). Floats: ``float32`` when it holds the value exactly
    (0.5, 1.0, nan), else ``float64`` (0.1).

    >>> [str(constant_dtype(c)) for c in (0, 1, 255, 256, -1, 0.5, 0.1)]
    ['uint8', 'uint8', 'uint8', 'uint16', 'int8', 'float32', 'float64']
    """
    if isinstance(constant, bool) or not isinstance(constant, numbers.Real):
        raise TypeError(f"constant must be a number, got {constant!r}")
    if isinstance(constant, numbers.Integral):
        if not -(2**63) <= constant < 2**64:
            raise ValueError(
                f"constant {constant} does not fit any integer dtype (int64 or uint64); "
                f"use a float, e.g. {float(constant)!r}"
            )
        return np.min_scalar_type(int(constant))
    value = float(constant)
    with np.errstate(over="ignore"):  # too large for float32: inf, which is not equal
        exact = math.isnan(value) or float(np.float32(value)) == value
    return np.dtype(np.float32 if exact else np.float64)


class ConstantArray(VirtualArray):
    """``constant`` everywhere, with the axes, ROI, voxel size and channels of a source.

    The dtype is :func:`constant_dtype` of the constant (``uint8`` for the default 1). The
    source is never read: a read only allocates the requested block. ``attrs`` is ``{}``.
    ``ConstantArray(array)`` and ``ConstantArray.like(array)`` wrap an existing array with
    ``constant=1`` unless ``constant`` is given.

    >>> import numpy as np
    >>> from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
    >>> zeros = ConstantArray.like(NumpyArray(np.ones((4, 4, 4))), constant=0)
    >>> zeros.dtype, zeros[Roi((0, 0, 0), (1, 1, 2))]
    (dtype('uint8'), array([[[0, 0]]], dtype=uint8))
    """

    def __init__(
        self, array_config: ConstantArrayConfig | Array, *, constant: int | float | None = None
    ) -> None:
        if isinstance(array_config, Array):
            value = 1 if constant is None else constant
        elif constant is not None:
            raise TypeError(
                f"ConstantArray {array_config.name!r} takes its constant from its config; "
                f"change ConstantArrayConfig.constant instead of passing constant="
            )
        else:
            value = array_config.constant
        try:
            dtype = constant_dtype(value)
        except ValueError as err:
            raise ConfigError(f"cannot build ConstantArray {array_config.name!r}: {err}") from None
        super().__init__(array_config)
        self._constant = value
        self.spec = attrs.evolve(self.spec, dtype=dtype, is_labels=labels_by_dtype(dtype))

    @classmethod
    def like(cls, array: Array, constant: int | float = 1) -> ConstantArray:
        """``constant`` with the geometry of ``array`` (which is never read)."""
        return cls(array, constant=constant)

    @property
    def constant(self) -> int | float:
        """The value of every voxel."""
        return self._constant

    @property
    def attrs(self) -> dict[str, Any]:
        return {}

    def _read(self, roi: Roi) -> np.ndarray:
        return np.full(self._request_shape(roi), self._constant, dtype=self.dtype)
