"""``BinarizeArrayConfig``: binarize label ids into one channel per group."""

from __future__ import annotations

import numbers
from collections import Counter
from typing import Any

import attrs

from ._fields import Grouping, help_text, to_groupings
from .array_config import ArrayConfig, is_config
from .binarize_array import BinarizeArray


def _to_label(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"'background' must be an integer label id; got {value!r}")
    return int(value)


@attrs.frozen
class BinarizeArrayConfig(ArrayConfig):
    """Binarize label ids into one channel per group.

    >>> from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
    >>> labels = ZarrArrayConfig(name="labels", file_name="data.zarr", dataset="labels")
    >>> config = BinarizeArrayConfig(
    ...     name="gt", source_array_config=labels, groupings=[("mito", [3, 4, 5]), ("mito", [])]
    ... )
    >>> print(config.verify()[1])
    $ (BinarizeArrayConfig 'gt'): group name 'mito' is used 2 times in groupings; ...
    """

    array_type = BinarizeArray

    source_array_config: ArrayConfig = attrs.field(
        validator=is_config, metadata=help_text("The labels to binarize (no channel axis).")
    )
    groupings: list[Grouping] = attrs.field(
        converter=to_groupings,
        metadata=help_text(
            "(channel name, label ids) pairs; one uint8 channel each, 1 where the label is one "
            "of the ids; an empty id list means every label but the background."
        ),
    )
    background: int = attrs.field(
        default=0,
        converter=_to_label,
        metadata=help_text("The background label id; never binarized to 1."),
    )

    def _problems(self) -> list[str]:
        if not self.groupings:
            return [
                "groupings is empty: give at least one (name, [ids]) pair, "
                "e.g. [('mito', [3, 4, 5])]"
            ]
        problems = []
        for i, (name, _) in enumerate(self.groupings):
            if not name.strip():
                problems.append(f"group {i} has an empty name {name!r}; name every channel")
        for name, count in Counter(name for name, _ in self.groupings).items():
            if count > 1:
                problems.append(
                    f"group name {name!r} is used {count} times in groupings; channel names "
                    f"must be unique: merge those groups or rename them"
                )
        return problems
