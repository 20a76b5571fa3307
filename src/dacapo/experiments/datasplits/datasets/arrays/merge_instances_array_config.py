"""``MergeInstancesArrayConfig``: instance segmentations merged into one, ids kept apart."""

from __future__ import annotations

import numbers
from typing import Any

import attrs

from ._fields import help_text
from ._multi_source import to_config_list
from .array_config import ArrayConfig
from .merge_instances_array import MergeInstancesArray, max_ids_problem


def _to_max_ids(value: Any) -> list[int] | None:
    if value is None:
        return None
    if isinstance(value, str) or not hasattr(value, "__iter__"):
        raise TypeError(f"max_ids must be a list of whole numbers, one per source; got {value!r}")
    items = list(value)
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(f"max_ids must hold whole numbers; got {item!r} in {value!r}")
    return [int(i) for i in items]


@attrs.frozen
class MergeInstancesArrayConfig(ArrayConfig):
    """Instance segmentations merged into one, ids kept apart (see ``MergeInstancesArray``)."""

    array_type = MergeInstancesArray

    source_array_configs: list[ArrayConfig] = attrs.field(
        converter=to_config_list,
        validator=attrs.validators.deep_iterable(attrs.validators.instance_of(ArrayConfig)),
        metadata=help_text(
            "The instance segmentations to merge (no channels); later ones win on overlap."
        ),
    )
    max_ids: list[int] | None = attrs.field(
        default=None,
        converter=_to_max_ids,
        metadata=help_text(
            "The largest id of each source, in order; shifts the ids of the sources after it. "
            "Default: each source's 'max_id' (or 'maxId') attribute, else its dtype's maximum."
        ),
    )

    def _problems(self) -> list[str]:
        if not self.source_array_configs:
            return ["source_array_configs is empty; list the segmentations to merge"]
        problem = max_ids_problem(self.max_ids, len(self.source_array_configs))
        if problem:
            return [problem]
        return []
