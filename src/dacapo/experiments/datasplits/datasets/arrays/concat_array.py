"""``ConcatArray``: one array per channel name, stacked along a new leading ``c`` axis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Roi

from ._labels import agreed
from ._multi_source import (
    Named,
    describe,
    intersect_rois,
    same_spatial_axes,
    same_voxel_size,
    world_unit_attrs,
)
from ._reads import gather, then
from ._virtual_array import VirtualArray
from .array import CHANNEL_AXIS, Array, ArraySpec
from .errors import ConfigError

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .concat_array_config import ConcatArrayConfig


def channel_problems(channels: Sequence[str], sources: Mapping[str, Any]) -> list[str]:
    """What is wrong with the channel names of a concat, if anything.

    >>> channel_problems(["a", "b"], {"a": ..., "b": ...})
    []
    >>> channel_problems(["a", "a"], {})
    ["channels ['a', 'a'] repeat 'a'; name each output channel once"]
    """
    found = []
    if not channels:
        found.append("channels is empty; list the output channels in order")
    repeated = sorted({c for c in channels if list(channels).count(c) > 1})
    if repeated:
        found.append(
            f"channels {list(channels)} repeat {', '.join(map(repr, repeated))}; name each "
            f"output channel once"
        )
    for key in sources:
        if key not in channels:
            found.append(
                f"source_array_configs has {key!r}, which is not one of channels "
                f"{list(channels)}; add it to channels or remove it"
            )
    return found


class ConcatArray(VirtualArray):
    """One channel per entry of ``channels``, in that order, stacked along a new ``c`` axis.

    A channel's values come from its entry in ``source_array_configs``, else from
    ``default_config``'s array, else they are zeros. Every source must have no channel axis
    or exactly one channel (the original let a source with more inflate the channel count),
    and the sources (the default included when a channel uses it) must share spatial
    axes and voxel size. The ROI is the intersection of their ROIs; ``dtype`` is
    ``numpy.result_type`` of their dtypes (``bool`` and ``uint8`` give ``uint8``, ``uint8``
    and ``float32`` give ``float32``, ``int64`` and ``uint64`` give ``float64``); zero
    channels take that dtype. ``array[roi]`` reads each distinct source once (equal configs
    are built once), only over ``roi``. ``attrs`` is ``{}`` (with the sources' world unit
    when not nm).
    """

    def __init__(self, array_config: ConcatArrayConfig) -> None:
        super().__init__(array_config)
        owner = self._label()
        self.channels: list[str] = list(array_config.channels)
        # ``sources`` follow the config: one per entry of source_array_configs, then the
        # default; equal configs share one array, read once per request.
        by_key = dict(zip(array_config.source_array_configs, self.sources, strict=False))
        default = self.sources[-1] if array_config.default_config is not None else None
        self._source_arrays: dict[str, Array] = by_key
        self.default_array: Array | None = default
        self._plan = [by_key.get(c, default) for c in self.channels]
        used = [(self._label_of(a), a) for a in _distinct(self._plan)]
        if not used:
            raise ConfigError(
                f"{owner}: no channel of {self.channels} has a source and there is no "
                f"default_config; give at least one channel an array"
            )
        self._check_channels(used, owner)
        self.spec = ArraySpec(
            [CHANNEL_AXIS, *same_spatial_axes(used, owner)],
            same_voxel_size(used, owner),
            intersect_rois(used, owner),
            np.result_type(*[a.dtype for _, a in used]),
            num_channels=len(self.channels),
            is_labels=agreed(a.is_labels for a in _distinct(list(self.sources))),
        )

    def _label_of(self, array: Array) -> str:
        named = [c for c in self.channels if self._source_arrays.get(c) is array]
        return f"channel {named[0]!r}" if named else "default_config"

    @staticmethod
    def _check_channels(used: list[Named], owner: str) -> None:
        for label, array in used:
            if array.num_channels not in (None, 1):
                raise ConfigError(
                    f"{owner}: {label} ({describe(array)}) has {array.num_channels} channels; "
                    f"each entry of channels takes one array with no channel axis or a single "
                    f"channel: list one name per channel, each with its own single-channel "
                    f"array"
                )

    @property
    def source_arrays(self) -> dict[str, Array]:
        """The array of each channel name that has its own source."""
        return dict(self._source_arrays)

    @property
    def source(self) -> Array:
        """The first channel's source in ``channels`` order (else the default array)."""
        return next(a for a in self._plan if a is not None)

    source_array = source

    @property
    def attrs(self) -> dict[str, Any]:
        return world_unit_attrs(self.sources[0])

    def _read(self, roi: Roi) -> np.ndarray:
        return self._concat([array[roi] for array in _distinct(self._plan)], roi)

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        """Every distinct source's read in flight at once; channels stacked when all are in."""
        reads = gather(array.read_async(roi) for array in _distinct(self._plan))
        return then(reads, self._concat, roi)

    def _concat(self, blocks: list[np.ndarray], roi: Roi) -> np.ndarray:
        """The channels from ``blocks``, one per distinct source (``_distinct`` order)."""
        read = dict(zip((id(a) for a in _distinct(self._plan)), blocks, strict=True))
        out = np.zeros(self._request_shape(roi), self.dtype)
        for channel, array in enumerate(self._plan):
            if array is not None:  # else zeros
                block = read[id(array)]
                out[channel] = block[0] if array.num_channels is not None else block
        return out


def _distinct(arrays: list[Array | None]) -> list[Array]:
    """The arrays in ``arrays``, each once, in order of first use (``None`` left out)."""
    found: list[Array] = []
    for array in arrays:
        if array is not None and all(array is not known for known in found):
            found.append(array)
    return found
