"""Cases for ``TiffArray``: ImageJ stacks, tiled OME-TIFF with channels, single 2D images."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tifffile

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, TiffArrayConfig
from dacapo_arrays.testing.case import Case
from dacapo_arrays.testing.sources import numpy_truth


def _imagej_stack(tmp_path: Path) -> tuple[TiffArrayConfig, NumpyArray]:
    """Uncompressed ImageJ stack; voxel size from its calibration (µm), offset from the config."""
    truth = numpy_truth((7, 10, 12), "uint16", voxel_size=(40, 4, 4), offset=(80, -8, 4))
    path = tmp_path / "stack.tif"
    tifffile.imwrite(
        path,
        truth.data,
        imagej=True,
        resolution=(250, 250),  # pixels per µm: 4 nm
        metadata={"axes": "ZYX", "unit": "um", "spacing": 0.04},
    )
    return TiffArrayConfig(name="stack", file_name=path, offset=(80, -8, 4)), truth


def _ome_channels(tmp_path: Path) -> tuple[TiffArrayConfig, NumpyArray]:
    """Tiled, deflate-compressed OME-TIFF stored z, c, y, x; the array puts c first."""
    truth = numpy_truth((2, 5, 40, 36), "float32", voxel_size=(8, 4, 4), offset=(0, 0, 0))
    path = tmp_path / "channels.ome.tif"
    tifffile.imwrite(
        path,
        np.moveaxis(truth.data, 0, 1),  # z, c, y, x in the file
        ome=True,
        tile=(16, 16),
        compression="zlib",
        metadata={
            "axes": "ZCYX",
            "PhysicalSizeZ": 8,
            "PhysicalSizeZUnit": "nm",
            "PhysicalSizeY": 0.004,
            "PhysicalSizeX": 0.004,  # default unit: µm
        },
    )
    return TiffArrayConfig(name="channels", file_name=path), truth


def _plain_image(tmp_path: Path) -> tuple[TiffArrayConfig, NumpyArray]:
    """A single 2D page in strips, no metadata: everything comes from the config."""
    truth = numpy_truth((33, 20), "int32", voxel_size=(3, 5), offset=(-9, 10))
    path = tmp_path / "image.tif"
    tifffile.imwrite(path, truth.data, rowsperstrip=4, compression="zlib")
    config = TiffArrayConfig(
        name="image", file_name=path, offset=(-9, 10), voxel_size=(3, 5), axes=["y", "x"]
    )
    return config, truth


CASES = [
    Case("tiff-imagej-stack", _imagej_stack, writable=False, virtual=False),
    Case("tiff-ome-tiled-channels", _ome_channels, writable=False, virtual=False),
    Case("tiff-2d-strips", _plain_image, writable=False, virtual=False),
]
