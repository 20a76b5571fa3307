"""Source data for tests and examples: random volumes with world-unit geometry."""

from __future__ import annotations

from pathlib import Path

from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    NumpyArray,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo_arrays.testing.strategies import random_volume


def numpy_truth(
    shape: tuple[int, ...] = (6, 10, 12),
    dtype: str = "uint8",
    voxel_size: tuple[int, ...] = (8, 4, 4),
    offset: tuple[int, ...] = (16, -8, 4),
    axes: list[str] | None = None,
    seed: int = 0,
) -> NumpyArray:
    """A random ``NumpyArray`` to use as a source and as a truth in other kinds' cases."""
    data = random_volume(shape, dtype, seed)
    n_spatial = len(voxel_size)
    roi = Roi(offset, tuple(s * v for s, v in zip(shape[-n_spatial:], voxel_size, strict=True)))
    return NumpyArray.from_np_array(
        data, roi, voxel_size, axes or ["c", "z", "y", "x"][-len(shape) :]
    )


def zarr_source(
    folder: Path,
    truth: NumpyArray,
    *,
    name: str = "source",
    container: str = "data.zarr",
    dataset: str | None = None,
    write_size: Coordinate | None = None,
    format: str | None = None,
) -> ZarrArrayConfig:
    """Store ``truth`` in a real container below ``folder``; return the config that reads it.

    ``format`` (``"zarr2"``, ``"zarr3"``, ``"n5"``) picks the storage format; by default the
    container's suffix does (``.n5`` for N5, else zarr v2).
    """
    identifier = ArrayIdentifier(folder / container, dataset or name, format=format)
    array = ZarrArray.create_from_array_identifier(
        identifier,
        truth.axes,
        truth.roi,
        truth.num_channels,
        truth.voxel_size,
        truth.dtype,
        write_size=write_size,
        name=name,
    )
    array[array.roi] = truth[truth.roi]
    return ZarrArrayConfig(name=name, file_name=identifier.container, dataset=identifier.dataset)
