"""Cases for ``IntensitiesArray``: uint8 beyond [min, max] (unclipped), float32 channels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import IntensitiesArrayConfig, NumpyArray
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def intensities_reference(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """The original DaCapo's formula, unclipped."""
    return (values.astype(np.float32) - low) / (high - low)


def _case(low: float, high: float, **truth_args: object) -> Factory:
    def make(tmp_path: Path) -> tuple[IntensitiesArrayConfig, NumpyArray]:
        raw = numpy_truth(**truth_args)  # type: ignore[arg-type]
        source = zarr_source(tmp_path, raw, name="raw")
        config = IntensitiesArrayConfig(
            name="raw01", source_array_config=source, min=low, max=high
        )
        values = intensities_reference(raw[raw.roi], low, high)
        return config, NumpyArray.from_np_array(values, raw.roi, raw.voxel_size, raw.axes)

    return make


CASES = [
    # numpy_truth's integers are 0..19: [4, 12] leaves values below 0 and above 1.
    Case("intensities-uint8-unclipped", _case(4, 12)),
    Case(
        "intensities-channels-float32",
        _case(-0.5, 2.0, shape=(2, 4, 5, 6), dtype="float32", voxel_size=(2, 2, 2)),
    ),
]
