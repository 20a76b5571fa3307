"""A first look: store a small volume, describe it as configs, read a ROI through them.

Run with ``uv run python examples/quickstart.py``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, ArrayIdentifier, ZarrArray


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="dacapo-arrays-"))
    # 1. A stored volume: 64 x 64 x 64 voxels of 8 nm, placed at z = 800 nm.
    raw = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(folder / "sample.zarr", "raw/s0"),
        axes=["z", "y", "x"],
        roi=Roi((800, 0, 0), (512, 512, 512)),
        num_channels=None,
        voxel_size=(8, 8, 8),
        dtype="uint8",
        name="raw",
    )
    rng = np.random.default_rng(0)
    raw[raw.roi] = rng.integers(0, 255, size=raw.shape, dtype=np.uint8)

    # 2. The same data, described declaratively in a config file.
    config_file = folder / "raw.yaml"
    config_file.write_text(
        f"__type__: ZarrArrayConfig\nname: raw\nfile_name: {folder / 'sample.zarr'}\n"
        "dataset: raw/s0\nmode: r\n"
    )
    config = ArrayConfig.from_file(config_file)
    print("config:", config)
    print("verify:", config.verify())

    # 3. Read a ROI in world units (nm).
    array = config.create_array()
    print("array:", array, array.axes, array.voxel_size, array.roi, array.dtype)
    block = array[Roi((800, 64, 64), (64, 128, 128))]
    print("read", block.shape, "voxels; mean intensity", round(float(block.mean()), 2))
    print("files are in", folder)


if __name__ == "__main__":
    main()
