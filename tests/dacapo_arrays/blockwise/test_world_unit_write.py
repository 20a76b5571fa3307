"""A tree in a world unit other than nm, written blockwise: a TIFF at 85.2 nm (OME-XML in µm,
opened with ``world_unit="0.1 nm"``) to zarr v3 and N5 with a pyramid level. The output
stores exact nm and reopens with the tree's world unit at the tree's geometry."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import tifffile

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    MetadataError,
    TiffArrayConfig,
    ZarrArrayConfig,
)
from dacapo_arrays.blockwise import write

WORLD = "0.1 nm"


@pytest.fixture(scope="module")
def tiff(tmp_path_factory: pytest.TempPathFactory) -> tuple[TiffArrayConfig, np.ndarray]:
    path = tmp_path_factory.mktemp("tiff") / "cells.ome.tif"
    values = (np.arange(4 * 8 * 8) * 5 % 251).reshape(4, 8, 8).astype(np.uint8)
    metadata = {
        "axes": "ZYX",
        "PhysicalSizeZ": 0.2,
        "PhysicalSizeY": 0.0852,
        "PhysicalSizeX": 0.0852,
    }
    tifffile.imwrite(path, values, metadata=metadata)
    return TiffArrayConfig(name="cells", file_name=path, world_unit=WORLD), values


@pytest.mark.parametrize("fmt", ["zarr3", "n5"])
def test_a_tiff_at_85_2_nm_writes_and_reopens_exactly(tiff, tmp_path: Path, fmt: str) -> None:
    config, values = tiff
    source = config.create_array()
    assert source.voxel_size == (2000, 852, 852)
    out = tmp_path / ("out.n5" if fmt == "n5" else "out.zarr")
    write(
        config,
        ArrayIdentifier(out, "cells", format=fmt),
        pyramid_levels=1,
        downsample="mean",
        progress=False,
    )
    s0, s1 = (
        ZarrArrayConfig(
            name=f"s{k}", file_name=out, dataset=f"cells/s{k}", world_unit=WORLD
        ).create_array()
        for k in (0, 1)
    )
    assert (s0.voxel_size, s0.roi) == (source.voxel_size, source.roi)
    assert s1.voxel_size == (4000, 1704, 1704)
    np.testing.assert_array_equal(s0[s0.roi], values)
    blocks = values.reshape(2, 2, 4, 2, 4, 2).mean((1, 3, 5))
    np.testing.assert_array_equal(s1[s1.roi], np.rint(blocks).astype(np.uint8))
    if fmt == "n5":
        group = json.loads((out / "cells" / "attributes.json").read_text())
        assert group["pixelResolution"] == {"dimensions": [85.2, 85.2, 200], "unit": "nm"}
        assert group["scales"] == [[1, 1, 1], [2, 2, 2]]
    else:
        ome = json.loads((out / "cells" / "zarr.json").read_text())["attributes"]["ome"]
        scales = [
            d["coordinateTransformations"][0]["scale"] for d in ome["multiscales"][0]["datasets"]
        ]
        assert scales == [[200, 85.2, 85.2], [400, 170.4, 170.4]]
    with pytest.raises(MetadataError, match=r"ZarrArrayConfig\(world_unit='0\.1 nm'\)"):
        ZarrArrayConfig(name="s0", file_name=out, dataset="cells/s0").create_array()
