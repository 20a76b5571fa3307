"""``BinarizeArray``: label ids turned into one ``uint8`` channel per group.

The computation is the plain function :func:`.kernels.binarize`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import attrs
import numpy as np
from funlib.geometry import Roi

from ._reads import derive, then
from ._virtual_array import VirtualArray
from .array import CHANNEL_AXIS
from .errors import ConfigError
from .kernels import binarize, label_range, narrow_labels

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .binarize_array_config import BinarizeArrayConfig


class BinarizeArray(VirtualArray):
    """Label ids of a source without channels, binarized into one channel per group.

    Axes ``["c"] + source axes``; dtype ``uint8``; one channel per ``(name, ids)`` group in
    ``groupings``, 1 where the label is one of ``ids`` and 0 elsewhere (see :func:`binarize`
    for empty groups, ``background`` and repeated ids). ``roi``, ``voxel_size`` and ``attrs``
    are the source's.

    Building one raises :class:`~.errors.ConfigError` when the config has problems (see
    ``verify()``), when the source has a channel axis, or when its dtype is not an integer
    (or bool) type.
    """

    def __init__(self, array_config: BinarizeArrayConfig) -> None:
        super().__init__(array_config)
        self._groupings = [(name, list(ids)) for name, ids in array_config.groupings]
        self.background = array_config.background
        self._check_source()
        self.spec = attrs.evolve(
            self.spec,
            axes=[CHANNEL_AXIS, *self.source.axes],
            dtype=np.dtype(np.uint8),
            num_channels=len(self._groupings),
            is_labels=True,
        )

    def _check_source(self) -> None:
        source = self.source
        what = f"BinarizeArray {self.name!r} cannot binarize {source._label()}"
        if source.num_channels is not None:
            raise ConfigError(
                f"{what}: it has a channel axis (axes {source.axes}); binarize a label array "
                f"without channels, e.g. one channel of it cropped out in its own dataset"
            )
        if label_range(source.dtype) is None:
            raise ConfigError(
                f"{what}: its dtype {source.dtype} is not an integer type; labels must be "
                f"integer ids (store them as e.g. uint64)"
            )

    @property
    def groupings(self) -> list[tuple[str, list[int]]]:
        """The ``(channel name, label ids)`` groups, one channel each, in channel order."""
        return [(name, list(ids)) for name, ids in self._groupings]

    @property
    def channels(self) -> Iterator[str]:
        """The channel names (the group names), as a fresh iterator on every access."""
        return iter([name for name, _ in self._groupings])

    def _read(self, roi: Roi) -> np.ndarray:
        return binarize(self.source[roi], self._groupings, self.background)

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        # On the narrow copy (when the labels fit one), which a mask of the same shared read
        # computes on too: made once per sample (see ``derive``).
        labels = derive(self.source.read_async(roi), narrow_labels)
        return then(labels, binarize, self._groupings, self.background)


__all__ = ["BinarizeArray", "binarize", "label_range"]
