"""Cases for ``OnesArray``: bool ones shaped like a zarr source, with and without channels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, OnesArrayConfig
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def filled_like(source: NumpyArray, value: object, dtype: str) -> NumpyArray:
    """``value`` everywhere, with the geometry of ``source``."""
    return NumpyArray.from_np_array(
        np.full(source.shape, value, dtype), source.roi, source.voxel_size, source.axes
    )


def _case(**truth_args: object) -> Factory:
    def make(tmp_path: Path) -> tuple[OnesArrayConfig, NumpyArray]:
        source = numpy_truth(**truth_args)  # type: ignore[arg-type]
        config = OnesArrayConfig(name="mask", source_array_config=zarr_source(tmp_path, source))
        return config, filled_like(source, True, "bool")

    return make


CASES = [
    Case("ones", _case()),
    Case("ones-channels", _case(shape=(3, 4, 5, 6), dtype="float32", voxel_size=(2, 2, 2))),
]
