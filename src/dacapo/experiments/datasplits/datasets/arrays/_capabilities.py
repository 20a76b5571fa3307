"""What some arrays can do beyond ``Array``, as ``typing.Protocol``s to test with ``isinstance``.

A stored kind has these by having the attributes; nothing registers. Tools ask
``isinstance(array, HasChunks)`` instead of probing attributes by name.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from funlib.geometry import Coordinate


@runtime_checkable
class HasChunks(Protocol):
    """An array stored in chunks (e.g. ``ZarrArray``).

    ``isinstance`` reads the property: it must be cheap (no I/O).
    """

    @property
    def chunk_shape(self) -> tuple[int, ...]:
        """Spatial shape of one stored chunk (one shard if sharded), in voxels."""
        ...


@runtime_checkable
class HasLevels(Protocol):
    """An array that may be one level of a stored multiscale pyramid (e.g. ``ZarrArray``).

    On Python 3.11 ``isinstance`` reads the property, i.e. the container's metadata; where
    that matters, check the class: ``isinstance(array, ZarrArray)``.
    """

    @property
    def multiscale_levels(self) -> list[tuple[str, Coordinate, Coordinate]]:
        """``(dataset, voxel_size, offset)`` of every level, finest first; ``[]`` if none."""
        ...


__all__ = ["HasChunks", "HasLevels"]
