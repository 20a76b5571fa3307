"""Cases for ``LogicalOrArray``: uint8 and float channels, and a source without channels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import LogicalOrArrayConfig, NumpyArray
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def logical_or_reference(source: NumpyArray) -> NumpyArray:
    """1 where any channel is non-zero; a source without channels becomes ``!= 0``."""
    values = source[source.roi] != 0
    if source.num_channels is not None:
        values = values.max(axis=0)
    return NumpyArray.from_np_array(
        values.astype(np.uint8), source.roi, source.voxel_size, source.spatial_axes
    )


def _case(**truth_args: object) -> Factory:
    def make(tmp_path: Path) -> tuple[LogicalOrArrayConfig, NumpyArray]:
        source = numpy_truth(**truth_args)  # type: ignore[arg-type]
        # Sparse masks, so that channels actually differ in where they are set.
        source.data[...] = np.where(source.data > np.quantile(source.data, 0.7), source.data, 0)
        config = LogicalOrArrayConfig(
            name="union", source_array_config=zarr_source(tmp_path, source)
        )
        return config, logical_or_reference(source)

    return make


CASES = [
    Case("logical-or-uint8-channels", _case(shape=(3, 4, 5, 6), voxel_size=(2, 2, 2))),
    Case(
        "logical-or-float32-channels",
        _case(shape=(2, 4, 5, 6), dtype="float32", voxel_size=(2, 4, 2)),
    ),
    Case("logical-or-no-channels", _case()),
]
