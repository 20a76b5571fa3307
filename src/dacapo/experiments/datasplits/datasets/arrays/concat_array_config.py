"""``ConcatArrayConfig``: one array per channel name, stacked along a new channel axis."""

from __future__ import annotations

from typing import Any

import attrs

from ._fields import help_text
from ._multi_source import to_config_dict
from .array_config import ArrayConfig
from .concat_array import ConcatArray, channel_problems


def _to_names(value: Any) -> list[str]:
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise TypeError(f"channels must be a list of channel names; got {value!r}")
    names = list(value)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"channel names must be strings; got {name!r} in {value!r}")
    return names


@attrs.frozen
class ConcatArrayConfig(ArrayConfig):
    """One array per channel name, stacked along a new channel axis (see ``ConcatArray``)."""

    array_type = ConcatArray

    channels: list[str] = attrs.field(
        converter=_to_names, metadata=help_text("The output channels, in order.")
    )
    source_array_configs: dict[str, ArrayConfig] = attrs.field(
        converter=to_config_dict,
        validator=attrs.validators.deep_mapping(
            key_validator=attrs.validators.instance_of(str),
            value_validator=attrs.validators.instance_of(ArrayConfig),
        ),
        metadata=help_text(
            "The array of each channel name that has one (no channel axis, or one channel)."
        ),
    )
    default_config: ArrayConfig | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.instance_of(ArrayConfig)),
        metadata=help_text("The array for channels without a source (zeros when missing)."),
    )

    def _problems(self) -> list[str]:
        problems = channel_problems(self.channels, self.source_array_configs)
        if not problems and not self.source_array_configs and self.default_config is None:
            problems.append(
                "neither source_array_configs nor default_config gives an array: every channel "
                "would be zeros of unknown shape; give at least one channel an array"
            )
        return problems
