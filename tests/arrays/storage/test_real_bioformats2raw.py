"""A bioformats2raw-shaped container (``tests/fixtures/bioformats2raw/make.py``, committed):
85.2 nm pixels in micrometres are refused in nm naming the world unit, and open exactly with
it; the size-1 time axis is left out with a note, the size-1 channel kept."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from dacapo.experiments.datasplits.datasets.arrays import (
    DatasetNotFoundError,
    MetadataError,
    ZarrArrayConfig,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "bioformats2raw"


def _script() -> ModuleType:
    """``make.py``'s cases and formula (it imports zarr only when it writes)."""
    spec = importlib.util.spec_from_file_location("bioformats2raw_fixture", FIXTURES / "make.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


MAKE = _script()
CONTAINER = FIXTURES / MAKE.CONTAINER


def _config(dataset: str, world_unit: str | None = MAKE.WORLD_UNIT) -> ZarrArrayConfig:
    return ZarrArrayConfig(
        name="image", file_name=CONTAINER, dataset=dataset, mode="r", world_unit=world_unit
    )


def test_the_layout_is_bioformats2raw_s() -> None:
    assert json.loads((CONTAINER / ".zattrs").read_text()) == {"bioformats2raw.layout": 3}
    assert json.loads((CONTAINER / "OME" / ".zattrs").read_text()) == {"series": ["0"]}
    xml = (CONTAINER / "OME" / "METADATA.ome.xml").read_text(encoding="utf-8")
    assert 'PhysicalSizeX="0.0852" PhysicalSizeXUnit="µm"' in xml
    (multiscale,) = json.loads((CONTAINER / "0" / ".zattrs").read_text())["multiscales"]
    assert [a["name"] for a in multiscale["axes"]] == ["t", "c", "z", "y", "x"]
    zarray = json.loads((CONTAINER / "0" / "0" / ".zarray").read_text())
    assert (zarray["dimension_separator"], zarray["compressor"]["cname"]) == ("/", "lz4")


def test_in_nm_it_is_refused_naming_the_exact_world_unit() -> None:
    message = (
        r"voxel sizes and offsets must be whole nm; got \[0\.2, 0\.0852, 0\.0852\] "
        r"\(micrometer\) from 'scale' of dataset '0' in .*image\.zarr/0/\.zattrs, and 85\.2 nm "
        r"is not whole\. Nothing is rounded: open it exactly with "
        r"ZarrArrayConfig\(world_unit='0\.1 nm'\)"
    )
    with pytest.raises(MetadataError, match=message):
        _config("0/0", world_unit=None).create_array()
    ok, report = _config("0/0", world_unit=None).verify()
    assert not ok
    assert "ZarrArrayConfig(world_unit='0.1 nm')" in report


@pytest.mark.parametrize("level", ["0", "1"])
def test_every_level_opens_exactly_with_the_world_unit(level: str) -> None:
    shape, _, voxel_size = MAKE.CASES[level]
    config = _config(f"0/{level}")
    assert config.verify()[0]
    array = config.create_array()
    assert array.axes == ["c", "z", "y", "x"]  # t (size 1) left out, c (size 1) kept
    assert array.num_channels == 1
    assert array.voxel_size == voxel_size
    assert array.roi.offset == (0, 0, 0)  # bioformats2raw writes scales only
    assert array.roi.shape == (6000, 6816, 6816)  # both levels cover the same region
    assert array.shape == shape[1:]
    assert array.world_unit == "0.1 nm"
    (note,) = array.attrs["dacapo_arrays:notes"]
    assert "left out" in note
    assert f"shape {shape}" in note
    np.testing.assert_array_equal(array[array.roi], MAKE.values(level)[0])


@pytest.mark.parametrize("dataset", ["", "0"])
def test_the_groups_name_their_levels(dataset: str) -> None:
    with pytest.raises(
        DatasetNotFoundError, match=r"is a group, not an array \(its datasets: '0/0', '0/1'\)"
    ):
        _config(dataset).create_array()
