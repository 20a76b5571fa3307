"""What some arrays can do beyond ``Array``, as ``typing.Protocol``s to test with ``isinstance``.

A stored kind has these by having the attributes; nothing registers. Tools ask
``isinstance(array, HasChunks)`` instead of probing attributes by name.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

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


@runtime_checkable
class InStore(Protocol):
    """An array read from one dataset of a zarr / N5 container (e.g. ``ZarrArray``)."""

    file_name: Any
    """The container: a path or URL."""

    dataset: str
    """The dataset's path inside the container."""

    @property
    def storage_format(self) -> str:
        """How the dataset is stored: ``"zarr2"``, ``"zarr3"`` or ``"n5"``."""
        ...


@runtime_checkable
class Reachable(Protocol):
    """A config or array whose source can be asked over the network (e.g. a DVID server),
    which ``verify()`` does not do."""

    def check_reachable(self) -> tuple[bool, str]:
        """``(True, summary)`` if the source answers, else ``(False, why)``."""
        ...


__all__ = ["HasChunks", "HasLevels", "InStore", "Reachable"]
