"""``ConcatArray``: one array per channel name, stacked along a new leading ``c`` axis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from ._labels import agreed
from ._multi_source import Named, describe, intersect_rois, same_spatial_axes, same_voxel_size
from ._virtual_array import VirtualArray, as_array
from .array import CHANNEL_AXIS, Array
from .errors import ConfigError

if TYPE_CHECKING:
    from .array_config import ArrayConfig
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
    are built once), only over ``roi``. ``attrs`` is ``{}``.
    """

    def __init__(self, array_config: ConcatArrayConfig) -> None:
        self._config = array_config
        self.name = array_config.name
        owner = self._label()
        self.channels: list[str] = list(array_config.channels)
        problems = channel_problems(self.channels, array_config.source_array_configs)
        if problems:
            raise ConfigError(f"{owner}: " + "; ".join(problems))
        self._unique: list[tuple[ArrayConfig, Array]] = []
        self._source_arrays = {
            channel: self._unique[self._build(config)][1]
            for channel, config in array_config.source_array_configs.items()
        }
        default = array_config.default_config
        self._default_index = None if default is None else self._build(default)
        sources = array_config.source_array_configs
        self._plan = [
            self._build(sources[c]) if c in sources else self._default_index for c in self.channels
        ]
        indices = sorted({i for i in self._plan if i is not None})
        used = [(self._label_of(i), self._unique[i][1]) for i in indices]
        if not used:
            raise ConfigError(
                f"{owner}: no channel of {self.channels} has a source and there is no "
                f"default_config; give at least one channel an array"
            )
        self._check_channels(used, owner)
        self._spatial_axes = same_spatial_axes(used, owner)
        self._voxel_size = same_voxel_size(used, owner)
        self._roi = intersect_rois(used, owner)
        self._dtype = np.result_type(*[a.dtype for _, a in used])
        self._source = self.source_array

    def _build(self, config: ArrayConfig) -> int:
        for index, (known, _) in enumerate(self._unique):
            if known == config:
                return index
        self._unique.append((config, as_array(config)))
        return len(self._unique) - 1

    def _label_of(self, index: int) -> str:
        channels = [c for c, i in zip(self.channels, self._plan, strict=False) if i == index]
        named = [c for c in channels if c in self._source_arrays]
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
    def default_array(self) -> Array | None:
        """The array of channels without a source (``None``: those channels are zeros)."""
        return None if self._default_index is None else self._unique[self._default_index][1]

    @property
    def source_array(self) -> Array:
        """The first channel's source in ``channels`` order (else the default array)."""
        for channel in self.channels:
            if channel in self._source_arrays:
                return self._source_arrays[channel]
        assert self.default_array is not None  # guaranteed by __init__
        return self.default_array

    @property
    def axes(self) -> list[str]:
        return [CHANNEL_AXIS, *self._spatial_axes]

    @property
    def voxel_size(self) -> Coordinate:
        return self._voxel_size

    @property
    def roi(self) -> Roi:
        return self._roi

    @property
    def is_labels(self) -> bool | None:
        """The used sources' common answer (``None`` when they differ)."""
        return agreed(a.is_labels for _, a in self._unique)

    @property
    def dtype(self) -> np.dtype[Any]:
        return self._dtype

    @property
    def num_channels(self) -> int:
        return len(self.channels)

    @property
    def attrs(self) -> dict[str, Any]:
        return {}

    def _read(self, roi: Roi) -> np.ndarray:
        out = np.zeros(self._request_shape(roi), self._dtype)
        blocks: dict[int, np.ndarray] = {}
        for channel, index in enumerate(self._plan):
            if index is None:
                continue  # zeros
            if index not in blocks:
                array = self._unique[index][1]
                block = array[roi]
                blocks[index] = block[0] if array.num_channels is not None else block
            out[channel] = blocks[index]
        return out
