"""``DVIDArray``: a data instance of a DVID server, read by ROI over its HTTP API.

DVID speaks x, y, z; the array is z, y, x like every other array. The ROI spans the
instance's extents (``MinPoint`` to the inclusive ``MaxPoint``) times its voxel size. The
instance kind is read from ``/info`` (``TypeName``), never guessed from its name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from ._data_view import roi_view
from ._labels import labels_by_dtype
from ._storage.dvid import DVIDClient, InstanceInfo, parse_info
from ._storage.lazy import LazyView
from ._storage.units import show
from .array import Array, ArraySpec
from .errors import MetadataError, ReadOnlyError

if TYPE_CHECKING:
    from .dvid_array_config import DVIDArrayConfig

#: Larger reads are split into z slabs of at most this many bytes (DVID refuses > 1 GiB).
MAX_REQUEST_BYTES = 256 * 2**20


class DVIDArray(Array):
    """A read-only array served by DVID (``uint8blk`` and other image blocks, labels)."""

    def __init__(self, array_config: DVIDArrayConfig) -> None:
        self._config = array_config
        self.name = array_config.name
        self.source = array_config.source
        self._client = DVIDClient(*array_config.source)
        self._document = self._client.info()
        self._info: InstanceInfo = parse_info(self._document, self._client.info_url)
        sizes = self._info.voxel_size[::-1]
        if any(s.denominator != 1 or s <= 0 for s in sizes):
            raise MetadataError(
                f"voxel_size must be whole nanometres; got "
                f"({', '.join(show(s) for s in sizes)}) (z, y, x) from VoxelSize/VoxelUnits "
                f"in {self._client.info_url}; DVIDArray cannot represent this instance"
            )
        voxel_size = Coordinate(tuple(int(s) for s in sizes))
        low = Coordinate(self._info.min_point[::-1])
        shape = Coordinate(self._info.max_point[::-1]) - low + 1
        dtype = self._info.dtype.newbyteorder("=")
        self.spec = ArraySpec(
            ["z", "y", "x"],
            voxel_size,
            Roi(low * voxel_size, shape * voxel_size),
            dtype,
            is_labels=_labels(array_config.is_labels, self._info.type_name, dtype),
        )
        self.max_request_bytes = MAX_REQUEST_BYTES

    # -- metadata -------------------------------------------------------------------------

    @property
    def attrs(self) -> dict[str, Any]:
        """The instance's ``/info`` document as DVID sent it."""
        return dict(self._document)

    @property
    def type_name(self) -> str:
        """DVID's type of the instance, e.g. ``"uint8blk"`` or ``"labelmap"``."""
        return self._info.type_name

    def _why_read_only(self) -> str:
        return "DVID instances are read-only here; write through DVID's own API"

    @property
    def data(self) -> LazyView:
        """A read-only, numpy-like view in voxels: each ``data[...]`` is one ``array[roi]``."""
        return roi_view(self)

    def add_metadata(self, metadata: dict[str, Any]) -> None:
        """Refused: DVID instances are read-only here."""
        raise ReadOnlyError(
            f"cannot add metadata to {self._label()}: it is read-only "
            f"({self._why_read_only()}); keep the metadata next to your config instead"
        )

    # -- voxels ---------------------------------------------------------------------------

    def _read(self, roi: Roi) -> np.ndarray:
        begin = roi.begin / self.voxel_size
        shape = roi.shape / self.voxel_size
        out = np.empty(tuple(int(s) for s in shape), dtype=self.dtype)
        plane = int(shape[1] * shape[2]) * self._info.dtype.itemsize
        slab = max(1, self.max_request_bytes // max(plane, 1))
        for z in range(0, int(shape[0]), slab):
            depth = min(slab, int(shape[0]) - z)
            size = (int(shape[2]), int(shape[1]), depth)
            offset = (int(begin[2]), int(begin[1]), int(begin[0]) + z)
            body = self._client.raw(size, offset, self._info)
            out[z : z + depth] = np.frombuffer(body, self._info.dtype).reshape(size[::-1])
        return out

    def __repr__(self) -> str:
        server, uuid, instance = self.source
        return f"DVIDArray(({server!r}, {uuid!r}, {instance!r}))"


def _labels(configured: bool | None, type_name: str, dtype: np.dtype[Any]) -> bool | None:
    """The config's ``is_labels``, else DVID's type: ``label*`` instances hold labels,
    ``*blk`` image blocks intensities; else the dtype's."""
    if configured is not None:
        return configured
    if type_name.startswith("label"):
        return True
    if type_name.endswith("blk"):
        return False
    return labels_by_dtype(dtype)
