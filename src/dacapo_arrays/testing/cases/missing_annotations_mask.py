"""Cases for ``MissingAnnotationsMask``: fibsem-tools ``labels`` and ``cellmap.annotation``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import (
    MissingAnnotationsMaskConfig,
    NumpyArray,
    ZarrArray,
)
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source

#: As fibsem-tools >= 2023-03 writes them: 3 is present but only sparsely annotated.
LABELS = [
    {
        "value": value,
        "name": {"long": long, "short": short},
        "annotationState": {"present": present, "annotated": annotated},
        "count": None,
    }
    for value, long, short, present, annotated in [
        (1, "Extracellular Space", "ECS", True, "dense"),
        (3, "Mitochondrial membrane", "Mito membrane", True, "sparse"),
        (4, "Mitochondrial lumen", "Mito lumen", False, "empty"),
    ]
]
CELLMAP = {
    "cellmap": {
        "annotation": {
            "class_name": "mito",
            "complement_counts": {"absent": 300, "unknown": 20},
            "annotation_type": {
                "type": "semantic_segmentation",
                "encoding": {"absent": 0, "unknown": 7, "present": 1},
            },
        }
    }
}


def _case(
    metadata: dict[str, Any], unusable: list[bool], annotated: Any, container: str
) -> Factory:
    groupings = [("ecs", [1]), ("mito", [3, 4]), ("any", [])][: len(unusable)]

    def make(tmp_path: Path) -> tuple[MissingAnnotationsMaskConfig, NumpyArray]:
        labels = numpy_truth(dtype="uint8", seed=5)
        source = zarr_source(tmp_path, labels, name="labels", container=container)
        ZarrArray(source).add_metadata(metadata)
        mask = annotated(labels[labels.roi]).astype(np.uint8)
        values = np.stack([np.zeros_like(mask) if u else mask for u in unusable])
        truth = NumpyArray.from_np_array(
            values, labels.roi, labels.voxel_size, ["c", *labels.axes]
        )
        config = MissingAnnotationsMaskConfig(
            name="mask", source_array_config=source, groupings=groupings
        )
        return config, truth

    return make


CASES = [
    Case(
        "missing-annotations-labels-list",
        _case({"labels": LABELS}, [False, True, True], lambda v: v > 0, "gt.zarr"),
    ),
    Case(
        "missing-annotations-cellmap-n5",
        _case(CELLMAP, [False, False], lambda v: v != 7, "gt.n5"),
    ),
]
