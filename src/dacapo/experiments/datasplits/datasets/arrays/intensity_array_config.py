"""``IntensitiesArrayConfig``: intensities scaled so that min maps to 0 and max to 1."""

from __future__ import annotations

import math
import numbers
from typing import Any

import attrs

from ._fields import help_text
from .array_config import ArrayConfig, is_config
from .intensity_array import IntensitiesArray


def _to_float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"min and max must be numbers; got {value!r}")
    return float(value)


@attrs.frozen
class IntensitiesArrayConfig(ArrayConfig):
    """Intensities scaled to ``float32`` so that ``min`` maps to 0 and ``max`` to 1.

    Values outside ``[min, max]`` are not clipped (see ``IntensitiesArray``).

    >>> from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
    >>> raw = ZarrArrayConfig(name="raw", file_name="data.zarr", dataset="raw")
    >>> IntensitiesArrayConfig(name="x", source_array_config=raw, min=255, max=0).verify()[1]
    "$ (IntensitiesArrayConfig 'x'): max (0.0) must be greater than min (255.0): ..."
    """

    array_type = IntensitiesArray

    source_array_config: ArrayConfig = attrs.field(
        validator=is_config, metadata=help_text("The raw intensities.")
    )
    min: float = attrs.field(converter=_to_float, metadata=help_text("The value mapped to 0."))
    max: float = attrs.field(converter=_to_float, metadata=help_text("The value mapped to 1."))

    def _problems(self) -> list[str]:
        problems = [
            f"{name} is {value}; it must be a finite number"
            for name, value in (("min", self.min), ("max", self.max))
            if not math.isfinite(value)
        ]
        if not problems and self.max <= self.min:
            problems.append(
                f"max ({self.max}) must be greater than min ({self.min}): values are mapped "
                f"to (x - min) / (max - min); set min to the darkest and max to the brightest "
                f"intensity"
            )
        return problems
