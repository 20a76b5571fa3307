"""Exact augmentations: mirror and transpose of spatial axes, the same for every array.

Neither interpolates, so labels stay labels and windows stay aligned. Axes are named by the
arrays' spatial axes (e.g. ``"z"``, ``"y"``, ``"x"``); the channel axis is never touched.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs
import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import Array


@attrs.frozen
class Augment:
    """Which spatial axes (by index) may be mirrored, and which may be permuted."""

    mirror: tuple[int, ...] = ()
    transpose: tuple[int, ...] = ()

    def draw(self, rng: np.random.Generator, dims: int) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """``(flips, order)``: the axes to flip and a permutation of the spatial axes."""
        flips = tuple(a for a in self.mirror if rng.integers(0, 2))
        order = list(range(dims))
        if self.transpose:
            permuted = rng.permutation(len(self.transpose))
            for axis, source in zip(self.transpose, permuted, strict=True):
                order[axis] = self.transpose[int(source)]
        return flips, tuple(order)


def apply(values: np.ndarray, dims: int, flips: Sequence[int], order: Sequence[int]) -> np.ndarray:
    """``values`` (channels first, then ``dims`` spatial axes) flipped, then permuted."""
    if not flips and list(order) == list(range(dims)):
        return values
    lead = values.ndim - dims
    for axis in flips:
        values = np.flip(values, axis=lead + axis)
    values = values.transpose(*range(lead), *(lead + a for a in order))
    return np.ascontiguousarray(values)


def _axis_indices(option: bool | Sequence[str], spatial: list[str], what: str) -> tuple[int, ...]:
    if option is True:
        return tuple(range(len(spatial)))
    if option is False or option is None:
        return ()
    unknown = [a for a in option if a not in spatial]
    if unknown or isinstance(option, str):
        raise ValueError(
            f"{what}={option!r} names axes {unknown or option!r} that are not spatial axes "
            f"{spatial}; pass True, False or a list of them"
        )
    return tuple(spatial.index(a) for a in option)


def augment_of(
    arrays: Mapping[str, Array],
    shapes: Mapping[str, Sequence[int]],
    mirror: bool | Sequence[str],
    transpose: bool | Sequence[str],
) -> Augment:
    """The :class:`Augment` for these options; transposed axes must be interchangeable."""
    first = next(iter(arrays.values()))
    spatial = first.spatial_axes
    permuted = _axis_indices(transpose, spatial, "transpose")
    for name, array in arrays.items():
        shape, voxel = list(shapes[name]), list(array.voxel_size)
        if len({(shape[a], voxel[a]) for a in permuted}) > 1:
            raise ValueError(
                f"cannot transpose axes {[spatial[a] for a in permuted]} of {name!r}: its "
                f"window {shape} voxels at voxel size {voxel} differs between them; transpose "
                f"only axes with equal shapes and voxel sizes (e.g. transpose=['y', 'x'])"
            )
    return Augment(_axis_indices(mirror, spatial, "mirror"), permuted)
