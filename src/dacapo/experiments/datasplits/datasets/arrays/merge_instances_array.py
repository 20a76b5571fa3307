"""``MergeInstancesArray``: instance segmentations merged into one, every source's ids apart."""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Roi

from ._geometry import format_roi
from ._multi_source import (
    Named,
    describe,
    intersect_rois,
    same_spatial_axes,
    same_voxel_size,
    without_channel_axis,
    world_unit_attrs,
)
from ._reads import gather, then
from ._virtual_array import VirtualArray
from .array import Array, ArraySpec
from .errors import ConfigError, MetadataError, ValueRangeError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .merge_instances_array_config import MergeInstancesArrayConfig

#: Attributes that may store the largest id of a segmentation (``maxId``: Paintera's N5).
MAX_ID_KEYS = ("max_id", "maxId")
_UNSIGNED: list[np.dtype[Any]] = [np.dtype(t) for t in ("uint8", "uint16", "uint32", "uint64")]


def stored_max_id(attrs: Mapping[str, Any], where: str) -> int | None:
    """The largest id a segmentation's attributes declare, or ``None`` when they declare none."""
    for key in MAX_ID_KEYS:
        if key in attrs:
            value = attrs[key]
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise MetadataError(
                    f"attribute {key!r} of {where} is {value!r}; expected the largest instance "
                    f"id as a whole number >= 0 (fix the attribute, or declare max_ids in the "
                    f"MergeInstancesArrayConfig)"
                )
            return int(value)
    return None


def max_ids_problem(declared: Sequence[int] | None, n_sources: int) -> str | None:
    """What is wrong with declared max ids (one whole number >= 0 per source), if anything."""
    if declared is None:
        return None
    if len(declared) != n_sources:
        return (
            f"max_ids has {len(declared)} entries for {n_sources} sources ({list(declared)}); "
            f"give one max id per source, in order"
        )
    negative = [m for m in declared if m < 0]
    if negative:
        return f"max_ids {list(declared)} has negative entries {negative}; ids are >= 0"
    return None


def dtype_max_id(dtype: np.dtype[Any]) -> int:
    """The largest value ``dtype`` holds: the max id when nothing else declares one."""
    return 1 if dtype.kind == "b" else int(np.iinfo(dtype).max)


def offsets_of(max_ids: Sequence[int]) -> list[int]:
    """The shift of each source's ids: the sum of the max ids of the sources before it.

    >>> offsets_of([10, 0, 5])
    [0, 10, 10]
    """
    offsets, total = [], 0
    for max_id in max_ids:
        offsets.append(total)
        total += max_id
    return offsets


def merged_dtype(total: int, dtypes: Sequence[np.dtype[Any]]) -> np.dtype[Any] | None:
    """The smallest unsigned dtype that holds ``total`` and is as wide as every source dtype.

    ``None`` when not even ``uint64`` holds ``total``.

    >>> merged_dtype(300, [np.dtype("uint8"), np.dtype("uint8")])
    dtype('uint16')
    """
    width = max(d.itemsize for d in dtypes)
    for candidate in _UNSIGNED:
        if candidate.itemsize >= width and total <= np.iinfo(candidate).max:
            return candidate
    return None


def merge_blocks(
    blocks: Sequence[np.ndarray], offsets: Sequence[int], dtype: np.dtype[Any]
) -> np.ndarray:
    """Paint each block's non-zero ids, shifted by its offset, over the ones before it.

    Later blocks win where instances overlap; 0 stays background. The blocks are not changed.

    >>> merge_blocks([np.array([1, 2, 0]), np.array([0, 1, 1])], [0, 2], np.dtype("uint8"))
    array([1, 3, 3], dtype=uint8)
    """
    out = np.zeros(blocks[0].shape, dtype)
    for block, offset in zip(blocks, offsets, strict=True):
        shifted = block.astype(dtype)
        shifted += np.asarray(offset, dtype)
        np.copyto(out, shifted, where=block != 0)
    return out


class MergeInstancesArray(VirtualArray):
    """Instance segmentations (no channels) merged into one, no two sources sharing an id.

    Source ``i``'s non-zero ids are shifted by the sum of the max ids of sources ``0..i-1``;
    0 stays background. A source's max id is, first found: ``max_ids[i]`` of the config, its
    ``max_id`` (or ``maxId``) attribute, the largest value of its dtype. Shifts depend on
    that metadata only, never on the voxels read, so reading block by block gives what one
    whole read gives. Where instances overlap, the **later** source wins.

    ``dtype`` is the smallest unsigned integer type that holds every shifted id and is as wide
    as each source's dtype; a read raises :class:`~.errors.ValueRangeError` when a source
    holds an id above its max id or below 0. The ROI is the sources' intersection; ``attrs``
    is ``{"max_id": <largest merged id>}`` (with the sources' world unit when not nm), so a
    merge of merges needs no declaration.
    """

    def __init__(self, array_config: MergeInstancesArrayConfig) -> None:
        super().__init__(array_config)
        owner = self._label()
        named = [(f"source_array_configs[{i}]", a) for i, a in enumerate(self.sources)]
        without_channel_axis(named, owner, "instance segmentations have none")
        axes = same_spatial_axes(named, owner)
        voxel_size = same_voxel_size(named, owner)
        roi = intersect_rois(named, owner)
        self._max_ids = self._find_max_ids(named, array_config.max_ids)
        self._offsets = offsets_of(self._max_ids)
        self._total = sum(self._max_ids)
        dtype = merged_dtype(self._total, [a.dtype for a in self.sources])
        if dtype is None:
            raise ValueRangeError(
                f"{owner}: the merged ids would reach {self._total} (the sum of the max ids "
                f"{self._max_ids}), beyond uint64; declare the true max ids with "
                f"MergeInstancesArrayConfig(max_ids=[...]) or store a 'max_id' attribute on "
                f"each source"
            )
        self.spec = ArraySpec(axes, voxel_size, roi, dtype, is_labels=True)

    def _find_max_ids(self, named: list[Named], declared: list[int] | None) -> list[int]:
        problem = max_ids_problem(declared, len(named))
        if problem:
            raise ConfigError(f"{self._label()}: {problem}")
        found = []
        for i, (label, array) in enumerate(named):
            if array.dtype.kind not in "biu":
                raise ConfigError(
                    f"{self._label()}: {label} ({describe(array)}) has dtype {array.dtype}; "
                    f"instance ids must be integers: convert the source"
                )
            if declared is not None:
                found.append(declared[i])
                continue
            stored = stored_max_id(array.attrs, describe(array))
            found.append(dtype_max_id(array.dtype) if stored is None else stored)
        return found

    @property
    def source_arrays(self) -> list[Array]:
        """The segmentations merged, in order (later ones win where instances overlap)."""
        return list(self.sources)

    @property
    def max_ids(self) -> list[int]:
        """The max id of each source, as found at construction."""
        return list(self._max_ids)

    @property
    def offsets(self) -> list[int]:
        """The shift added to each source's non-zero ids."""
        return list(self._offsets)

    @property
    def attrs(self) -> dict[str, Any]:
        return {"max_id": self._total, **world_unit_attrs(self.sources[0])}

    def _read(self, roi: Roi) -> np.ndarray:
        return self._merge([source[roi] for source in self.sources], roi)

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        """Every source's read in flight at once; merged when all are in."""
        reads = gather(source.read_async(roi) for source in self.sources)
        return then(reads, self._merge, roi)

    def _merge(self, blocks: list[np.ndarray], roi: Roi) -> np.ndarray:
        for i, block in enumerate(blocks):
            self._check_ids(i, block, roi)
        return merge_blocks(blocks, self._offsets, self.dtype)

    def _check_ids(self, index: int, block: np.ndarray, roi: Roi) -> None:
        if block.size == 0 or block.dtype.kind == "b":
            return
        if block.dtype.kind == "u" and self._max_ids[index] >= dtype_max_id(block.dtype):
            return  # every value of the dtype is a valid id
        low, high = int(block.min()), int(block.max())
        if low >= 0 and high <= self._max_ids[index]:
            return
        bad = low if low < 0 else high
        source = self.sources[index]
        raise ValueRangeError(
            f"{self._label()}: source_array_configs[{index}] ({describe(source)}) holds id "
            f"{bad} in ROI {format_roi(roi)}, outside 0..{self._max_ids[index]} (its max id); "
            f"ids would collide with the next source's: declare the true max id in "
            f"MergeInstancesArrayConfig.max_ids or fix the source's 'max_id' attribute"
        )
