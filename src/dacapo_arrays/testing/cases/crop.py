"""Cases for ``CropArray``: inside, partly outside (intersected), with channels."""

from __future__ import annotations

from pathlib import Path

from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import CropArrayConfig, NumpyArray
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def cropped_truth(source: NumpyArray, roi: Roi) -> NumpyArray:
    """The voxels of ``source`` inside ``roi`` ∩ ``source.roi``."""
    roi = roi.intersect(source.roi)
    return NumpyArray.from_np_array(source[roi], roi, source.voxel_size, source.axes)


def _case(roi: Roi, **truth_args: object) -> Factory:
    def make(tmp_path: Path) -> tuple[CropArrayConfig, NumpyArray]:
        source = numpy_truth(**truth_args)  # type: ignore[arg-type]
        config = CropArrayConfig(
            name="crop", source_array_config=zarr_source(tmp_path, source), roi=roi
        )
        return config, cropped_truth(source, roi)

    return make


# numpy_truth's default ROI is [16:64, -8:32, 4:52] at voxel size (8, 4, 4).
CASES = [
    Case("crop-inside", _case(Roi((24, -4, 8), (24, 20, 36)))),
    Case("crop-partly-outside", _case(Roi((0, 0, 40), (40, 400, 40)))),
    Case(
        "crop-channels-int64",
        _case(
            Roi((4, 2, 0), (4, 6, 10)),
            shape=(2, 4, 5, 6),
            dtype="int64",
            voxel_size=(2, 2, 2),
            offset=(0, 0, 0),
        ),
    ),
]
