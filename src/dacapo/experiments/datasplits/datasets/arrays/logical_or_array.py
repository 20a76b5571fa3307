"""``LogicalOrArray``: the union of a source's channels, as one ``uint8`` mask."""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs
import numpy as np
from funlib.geometry import Roi

from ._reads import then
from ._virtual_array import VirtualArray

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .array import Array
    from .logical_or_array_config import LogicalOrArrayConfig


def logical_or(values: np.ndarray, *, channels: bool) -> np.ndarray:
    """1 (``uint8``) where any channel (axis 0, when ``channels``) is non-zero, else 0.

    >>> logical_or(np.array([[0, 2, 0], [0, 0, 0.5]]), channels=True)
    array([0, 1, 1], dtype=uint8)
    >>> logical_or(np.array([0, 7, 0]), channels=False)
    array([0, 1, 0], dtype=uint8)
    """
    hit: np.ndarray = np.any(values, axis=0) if channels else values != 0
    return hit.view(np.uint8)


class LogicalOrArray(VirtualArray):
    """1 where any channel of the source is non-zero, else 0; dtype ``uint8``, no channels.

    The axes are the source's spatial axes. A source without channels is passed through as
    ``source != 0`` (the original passed it through unchanged, values and dtype included).
    ``roi``, ``voxel_size`` and ``attrs`` are the source's.
    """

    def __init__(self, array_config: LogicalOrArrayConfig | Array) -> None:
        super().__init__(array_config)
        self.spec = attrs.evolve(
            self.spec,
            axes=self.source.spatial_axes,
            dtype=np.dtype(np.uint8),
            num_channels=None,
            is_labels=True,
        )

    def _read(self, roi: Roi) -> np.ndarray:
        return self._or(self.source[roi])

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        return then(self.source.read_async(roi), self._or)

    def _or(self, values: np.ndarray) -> np.ndarray:
        return logical_or(values, channels=self.source.num_channels is not None)
