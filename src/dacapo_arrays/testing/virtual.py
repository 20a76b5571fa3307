"""Helpers for testing virtual arrays: random sources stored for real, read spies, and the
spec example OnesArray and ConstantArray share."""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    Array,
    ConstantArray,
    NumpyArray,
    OnesArray,
    VirtualArrayError,
    ZarrArray,
    ZarrArrayConfig,
)
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


@contextmanager
def recorded_reads_of(arrays: Sequence[Array]) -> Iterator[list[tuple[int, Roi]]]:
    """Record ``(position in arrays, roi)`` for every read of these array objects inside the
    block (any kind; unlike :func:`recorded_reads`, which watches every ZarrArray by name).

    The arrays still read for real. An object listed twice records each read twice.
    """
    requests: list[tuple[int, Roi]] = []
    with ExitStack() as patches:
        for index, array in enumerate(arrays):

            def spy(roi: Roi, index: int = index, original: Any = array._read) -> Any:
                requests.append((index, roi))
                return original(roi)

            patches.enter_context(mock.patch.object(array, "_read", spy))
        yield requests


def check_ones_spec_example(
    kind: type[OnesArray] | type[ConstantArray], dtype: np.dtype[Any]
) -> OnesArray | ConstantArray:
    """The runnable example of spec/arrays-api.rst for OnesArray, which ConstantArray (its
    general form) passes as well: built with ``kind.like`` and with ``kind(source)`` on a
    10x10x10 ``NumpyArray`` of zeros, the array has the source's geometry, no stored data,
    and reads ones of ``dtype``. Returns the array for the kind's own checks.
    """
    source_array = NumpyArray(np.zeros((10, 10, 10)))
    ones_array: OnesArray | ConstantArray = kind.like(source_array)
    assert ones_array.source_array is source_array
    ones_array = kind(source_array)
    assert ones_array.source_array is source_array
    assert ones_array.attrs == {}
    assert ones_array.axes == ["z", "y", "x"]
    assert ones_array.dims == 3
    assert ones_array.voxel_size == Coordinate(1, 1, 1)
    assert ones_array.roi == Roi((0, 0, 0), (10, 10, 10))
    assert ones_array.writable is False
    with pytest.raises(VirtualArrayError, match="has no stored data"):
        ones_array.data  # noqa: B018
    np.testing.assert_array_equal(ones_array[ones_array.roi], np.ones((10, 10, 10), dtype))
    assert ones_array.dtype == dtype
    assert ones_array.num_channels is None
    return ones_array
