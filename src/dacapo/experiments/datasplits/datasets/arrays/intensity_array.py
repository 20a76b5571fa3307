"""``IntensitiesArray``: intensities scaled to ``float32``, ``min`` to 0 and ``max`` to 1."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
from funlib.geometry import Roi

from ._reads import then
from ._virtual_array import VirtualArray

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .intensity_array_config import IntensitiesArrayConfig


def normalize(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """``(values - low) / (high - low)`` in ``float32``, not clipped.

    Computed as the original DaCapo did, ``(values.astype(float32) - low) / (high - low)``,
    in ``float32`` throughout, on one output buffer: the cast, then the subtraction and the
    division in place. For integer values and ``low == 0`` the subtraction is skipped: an
    integer cast to ``float32`` minus 0 is itself, bit for bit.

    >>> normalize(np.array([0, 50, 100, 255], np.uint8), 50, 100)
    array([-1. ,  0. ,  1. ,  4.1], dtype=float32)
    """
    out = values.astype(np.float32)
    offset = np.float32(low)
    if offset != 0 or values.dtype.kind not in "biu":
        np.subtract(out, offset, out=out)
    np.divide(out, np.float32(high - low), out=out)
    return out


class IntensitiesArray(VirtualArray):
    """A source's intensities as ``float32``: ``(x - min) / (max - min)``.

    Values between ``min`` and ``max`` land in ``[0, 1]``. Values outside are **not
    clipped**: below ``min`` they become negative, above ``max`` greater than 1 (uint8 data
    with ``min=0, max=50`` reads up to 5.1). This is what the original DaCapo did and what
    trained models saw. Axes, ``roi``, ``voxel_size``, channels and ``attrs`` are the source's.

    Building one raises :class:`~.errors.ConfigError` when ``max <= min``.
    """

    def __init__(self, array_config: IntensitiesArrayConfig) -> None:
        super().__init__(array_config)
        self.min = array_config.min
        self.max = array_config.max
        self.spec = attrs.evolve(self.spec, dtype=np.dtype(np.float32), is_labels=False)

    def _read(self, roi: Roi) -> np.ndarray:
        return normalize(self.source[roi], self.min, self.max)

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        return then(self.source.read_async(roi), normalize, self.min, self.max)
