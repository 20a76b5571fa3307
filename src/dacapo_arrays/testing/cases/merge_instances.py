"""Cases for ``MergeInstancesArray``: declared and stored max ids, overlapping sources."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    MergeInstancesArrayConfig,
    NumpyArray,
    ZarrArray,
)
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _case(dtypes: list[str], max_ids: list[int], *, declare: bool, container: str) -> Factory:
    """Sources of ids 0..19 (numpy_truth's range); later sources win where both are > 0."""

    def make(tmp_path: Path) -> tuple[MergeInstancesArrayConfig, NumpyArray]:
        truths = [numpy_truth(dtype=d, seed=i) for i, d in enumerate(dtypes)]
        sources: list[ArrayConfig] = []
        for i, (truth, max_id) in enumerate(zip(truths, max_ids, strict=True)):
            stored = zarr_source(tmp_path, truth, name=f"seg{i}", container=container)
            if not declare:
                ZarrArray(stored).add_metadata({"max_id": max_id})
            sources.append(stored)
        dtype = np.dtype(np.uint16 if sum(max_ids) > 255 else np.uint8)
        dtype = max(dtype, *(np.dtype(d) for d in dtypes), key=lambda d: d.itemsize)
        merged = np.zeros(truths[0].shape, dtype)
        offset = 0
        for truth, max_id in zip(truths, max_ids, strict=True):
            values = truth[truth.roi]
            merged[values > 0] = values[values > 0].astype(dtype) + offset
            offset += max_id
        expected = NumpyArray.from_np_array(
            merged, truths[0].roi, truths[0].voxel_size, truths[0].axes
        )
        config = MergeInstancesArrayConfig(
            name="merged", source_array_configs=sources, max_ids=max_ids if declare else None
        )
        return config, expected

    return make


CASES = [
    Case(
        "merge-instances-declared-uint8",
        _case(["uint8", "uint8", "uint8"], [19, 19, 19], declare=True, container="a.zarr"),
    ),
    Case(
        "merge-instances-max-id-attrs-n5",
        _case(["uint16", "uint32"], [300, 20], declare=False, container="a.n5"),
    ),
]
