"""``VirtualArray``: the base of arrays computed on demand from other arrays.

A virtual kind reads its sources in ``_read(roi)``, asking each for exactly the ROI it needs.
By default its metadata (``axes``, ``voxel_size``, ``roi``, ``dtype``, ``num_channels``,
``attrs``, ``is_labels``) is the source's; a kind overrides what it changes. Virtual arrays
are never writable and have no stored ``data``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from .array import Array
from .errors import VirtualArrayError

if TYPE_CHECKING:
    from .array_config import ArrayConfig


def as_array(source: Array | ArrayConfig) -> Array:
    """An ``Array`` as is, or the array a config describes."""
    return source if isinstance(source, Array) else source.create_array()


class VirtualArray(Array):
    """An array computed on demand from one source array (``source_array``)."""

    def __init__(self, array_config: ArrayConfig | Array) -> None:
        if isinstance(array_config, Array):
            # The documented shortcut ``OnesArray(source_array)``: wrap an existing array.
            self._config: ArrayConfig | None = None
            self.name = ""
            self._source = array_config
            return
        self._config = array_config
        self.name = array_config.name
        self._source = as_array(array_config.source_array_config)  # type: ignore[attr-defined]

    @property
    def source_array(self) -> Array:
        """The array this one is computed from."""
        return self._source

    @property
    def axes(self) -> list[str]:
        return self._source.axes

    @property
    def voxel_size(self) -> Coordinate:
        return self._source.voxel_size

    @property
    def roi(self) -> Roi:
        return self._source.roi

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._source.dtype

    @property
    def num_channels(self) -> int | None:
        return self._source.num_channels

    @property
    def attrs(self) -> dict[str, Any]:
        return self._source.attrs

    @property
    def is_labels(self) -> bool | None:
        """The source's answer: a computation that keeps values keeps their meaning."""
        return self._source.is_labels

    @property
    def writable(self) -> bool:
        return False

    @property
    def data(self) -> Any:
        raise VirtualArrayError(
            f"{self._label()} has no stored data: it is a virtual array computed on demand "
            f"from {type(self._source).__name__}; read it by ROI with array[roi], or write "
            f"it out with `dacapo-arrays write`"
        )
