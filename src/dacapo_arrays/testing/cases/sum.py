"""Cases for ``SumArray``: zarr and N5 sources, widened integer sums, channels."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, NumpyArray, SumArrayConfig
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _case(dtypes: list[str], containers: list[str], **geometry: object) -> Factory:
    def make(tmp_path: Path) -> tuple[SumArrayConfig, NumpyArray]:
        truths = [
            numpy_truth(dtype=d, seed=i, **geometry)  # type: ignore[arg-type]
            for i, d in enumerate(dtypes)
        ]
        sources: list[ArrayConfig] = [
            zarr_source(tmp_path, t, name=f"s{i}", container=c)
            for i, (t, c) in enumerate(zip(truths, containers, strict=True))
        ]
        expected = truths[0][truths[0].roi].astype(_dtype(dtypes))
        for truth in truths[1:]:
            expected += truth[truth.roi]
        values = NumpyArray.from_np_array(
            expected, truths[0].roi, truths[0].voxel_size, truths[0].axes
        )
        return SumArrayConfig(name="sum", source_array_configs=sources), values

    return make


def _dtype(dtypes: list[str]) -> np.dtype[Any]:
    kinds = {np.dtype(d).kind for d in dtypes}
    if kinds & {"f"}:
        return np.result_type(*dtypes)
    return np.dtype(np.int64 if "i" in kinds else np.uint64)


CASES = [
    Case("sum-uint8-zarr-n5", _case(["uint8", "uint8", "uint8"], ["a.zarr", "b.n5", "a.zarr"])),
    Case(
        "sum-channels-float32-int16",
        _case(
            ["float32", "int16"],
            ["a.zarr", "a.zarr"],
            shape=(2, 5, 6, 7),
            voxel_size=(4, 4, 4),
            offset=(-8, 0, 12),
        ),
    ),
    Case("sum-uint64-checked", _case(["uint64", "uint8"], ["a.n5", "a.zarr"])),
]
