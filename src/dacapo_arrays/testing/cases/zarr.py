"""Cases for ``ZarrArray``: zarr v2 and N5, with and without channels, odd offsets."""

from __future__ import annotations

from pathlib import Path

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, ZarrArrayConfig
from dacapo_arrays.testing.case import Case
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _case(container: str, **truth_args: object):
    def make(tmp_path: Path) -> tuple[ZarrArrayConfig, NumpyArray]:
        truth = numpy_truth(**truth_args)  # type: ignore[arg-type]
        return zarr_source(tmp_path, truth, name="raw", container=container), truth

    return make


CASES = [
    Case("zarr2-uint8", _case("data.zarr"), writable=True, virtual=False),
    Case(
        "zarr2-channels-float32",
        _case("data.zarr", shape=(3, 5, 6, 7), dtype="float32", voxel_size=(4, 4, 4)),
        writable=True,
        virtual=False,
    ),
    Case(
        "n5-uint64",
        _case("data.n5", dtype="uint64", voxel_size=(40, 8, 8), offset=(80, 0, -16)),
        writable=True,
        virtual=False,
    ),
]
