"""``OnesArray`` (deprecated: use ``ConstantArray``): ``True`` everywhere a source is."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from funlib.geometry import Roi

from ._virtual_array import VirtualArray

if TYPE_CHECKING:
    from .array import Array
    from .ones_array_config import OnesArrayConfig

logger = logging.getLogger(__name__)


class OnesArray(VirtualArray):
    """``True`` (dtype ``bool``) with the axes, ROI, voxel size and channels of a source.

    The source is never read: a read only allocates the ones. ``attrs`` is ``{}``.
    Deprecated like in the original DaCapo (a warning is *logged*, not raised through
    ``warnings``); ``ConstantArray`` with ``constant=1`` is the replacement (dtype ``uint8``).

    >>> import numpy as np
    >>> from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
    >>> mask = OnesArray.like(NumpyArray(np.zeros((10, 10, 10))))
    >>> mask.axes, mask.dtype, mask.roi
    (['z', 'y', 'x'], dtype('bool'), [0:10, 0:10, 0:10] (10, 10, 10))
    >>> mask[Roi((0, 0, 0), (1, 1, 3))]
    array([[[ True,  True,  True]]])
    """

    def __init__(self, array_config: OnesArrayConfig | Array) -> None:
        logger.warning("OnesArray is deprecated; use ConstantArray (constant=1) instead")
        super().__init__(array_config)
        self.spec = attrs.evolve(self.spec, dtype=np.dtype(bool), is_labels=True)

    @classmethod
    def like(cls, array: Array) -> OnesArray:
        """Ones with the geometry of ``array`` (which is never read)."""
        return cls(array)

    @property
    def attrs(self) -> dict[str, Any]:
        return {}

    def _read(self, roi: Roi) -> np.ndarray:
        return np.ones(self._request_shape(roi), dtype=bool)
