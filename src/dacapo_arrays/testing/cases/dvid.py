"""Cases for ``DVIDArray``, served by the DVID look-alike on 127.0.0.1 (one per process)."""

from __future__ import annotations

from pathlib import Path

from dacapo.experiments.datasplits.datasets.arrays import DVIDArrayConfig, NumpyArray
from dacapo_arrays.testing.case import Case
from dacapo_arrays.testing.dvid_server import shared_server
from dacapo_arrays.testing.sources import numpy_truth


def _grayscale(tmp_path: Path) -> tuple[DVIDArrayConfig, NumpyArray]:
    """A uint8blk instance with anisotropic voxels and a negative MinPoint."""
    truth = numpy_truth((6, 10, 12), "uint8", voxel_size=(40, 8, 4), offset=(80, -16, 4))
    source = shared_server().add(
        truth.data, type_name="uint8blk", voxel_size=(4.0, 8.0, 40.0), min_point=(1, -2, 2)
    )
    return DVIDArrayConfig(name="grayscale", source=source), truth


def _labels(tmp_path: Path) -> tuple[DVIDArrayConfig, NumpyArray]:
    """A labelmap instance (uint64, gzip on the wire) named unlike its type."""
    truth = numpy_truth((9, 7, 5), "uint64", voxel_size=(8, 8, 8), offset=(0, 64, 8), seed=3)
    source = shared_server().add(
        truth.data, type_name="labelmap", voxel_size=(8, 8, 8), min_point=(1, 8, 0), name="raw"
    )
    return DVIDArrayConfig(name="labels", source=source), truth


CASES = [
    Case("dvid-uint8blk", _grayscale, writable=False, virtual=False),
    Case("dvid-labelmap", _labels, writable=False, virtual=False),
]
