"""Helpers for testing virtual arrays: random sources stored for real, and a read spy."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from funlib.geometry import Coordinate, Roi
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, ZarrArray, ZarrArrayConfig
from dacapo_arrays.testing.sources import zarr_source
from dacapo_arrays.testing.strategies import random_volume, voxel_sizes

_folders = itertools.count()


@st.composite
def numpy_sources(
    draw: st.DrawFn,
    dtypes: st.SearchStrategy[str],
    channels: st.SearchStrategy[int | None] | None = None,
    max_side: int = 6,
) -> NumpyArray:
    """A random 3D ``NumpyArray``: any voxel size, an aligned offset, channels if drawn.

    Draw at least 2 channels for sources you store: a single channel is stored without a
    ``c`` axis (``ZarrArray.create_from_array_identifier``).
    """
    voxel = draw(voxel_sizes(3, max_size=8))
    shape = tuple(draw(st.lists(st.integers(1, max_side), min_size=3, max_size=3)))
    count = None if channels is None else draw(channels)
    full = shape if count is None else (count, *shape)
    values = random_volume(full, draw(dtypes), seed=draw(st.integers(0, 2**16)))
    offset = Coordinate(draw(st.lists(st.integers(-4, 4), min_size=3, max_size=3))) * voxel
    axes = ["z", "y", "x"] if count is None else ["c", "z", "y", "x"]
    return NumpyArray.from_np_array(values, Roi(offset, Coordinate(shape) * voxel), voxel, axes)


def stored(folder: Path, truth: NumpyArray, name: str = "source") -> ZarrArrayConfig:
    """``truth`` in a new zarr container below ``folder`` (one per call, so hypothesis
    examples sharing a ``tmp_path`` never collide); the config that reads it."""
    return zarr_source(folder / f"source-{next(_folders)}", truth, name=name)


@contextmanager
def recorded_reads() -> Iterator[list[tuple[str, Roi]]]:
    """Record ``(array name, roi)`` for every ``ZarrArray`` read inside the block.

    The zarr arrays still read for real; this only watches which ROIs they are asked for.
    """
    requests: list[tuple[str, Roi]] = []
    read = ZarrArray._read

    def spy(self: ZarrArray, roi: Roi) -> Any:
        requests.append((self.name, roi))
        return read(self, roi)

    with mock.patch.object(ZarrArray, "_read", spy):
        yield requests
