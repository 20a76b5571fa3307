"""Cases for ``ConstantArray``: integer, negative and float constants, with channels."""

from __future__ import annotations

from pathlib import Path

from dacapo.experiments.datasplits.datasets.arrays import ConstantArrayConfig, NumpyArray
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.cases.ones import filled_like
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _case(constant: int | float, expected_dtype: str, **truth_args: object) -> Factory:
    def make(tmp_path: Path) -> tuple[ConstantArrayConfig, NumpyArray]:
        source = numpy_truth(**truth_args)  # type: ignore[arg-type]
        config = ConstantArrayConfig(
            name="constant", source_array_config=zarr_source(tmp_path, source), constant=constant
        )
        return config, filled_like(source, constant, expected_dtype)

    return make


CASES = [
    Case("constant-default-1", _case(1, "uint8")),
    Case("constant-0", _case(0, "uint8", dtype="uint64")),
    Case("constant-negative-int16", _case(-300, "int16")),
    Case(
        "constant-0.5-channels",
        _case(0.5, "float32", shape=(2, 3, 4, 5), voxel_size=(1, 2, 3), offset=(0, 4, 6)),
    ),
    Case("constant-0.1-float64", _case(0.1, "float64")),
]
