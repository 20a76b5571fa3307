"""Datasets written by zarr-python 3 (``tests/fixtures/zarr3/make.py``, committed files) open
with the voxel size, offset, axes, dtype, shape and values zarr-python 3 was given."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig

FIXTURES = Path(__file__).parents[2] / "fixtures" / "zarr3"


def _expected() -> ModuleType:
    """``make.py``'s cases and formula (it imports zarr only when it writes)."""
    spec = importlib.util.spec_from_file_location("zarr3_fixtures", FIXTURES / "make.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


EXPECTED = _expected()


@pytest.mark.parametrize("case", EXPECTED.CASES, ids=lambda c: f"{c.container}/{c.dataset}")
def test_opens_as_zarr_python_3_wrote_it(case) -> None:
    config = ZarrArrayConfig(
        name=case.dataset, file_name=FIXTURES / case.container, dataset=case.dataset, mode="r"
    )
    assert config.verify()[0]
    array = config.create_array()
    assert tuple(array.axes) == case.axes
    assert array.voxel_size == case.voxel_size
    assert array.roi.offset == case.offset
    assert array.dtype == np.dtype(case.dtype).newbyteorder("=")  # native order out
    assert array.shape == case.shape
    data = array[array.roi]
    assert data.dtype == array.dtype
    np.testing.assert_array_equal(data, EXPECTED.values(case))


def _stored(case, name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((FIXTURES / case.container / case.dataset / name).read_text())


def test_the_files_are_what_zarr_python_3_writes() -> None:
    """The fixtures hold the forms under test (regenerate them with make.py if not)."""
    by_name = {(c.container, c.dataset): c for c in EXPECTED.CASES}
    codecs = {
        dataset: [
            c["name"] for c in _stored(by_name[(EXPECTED.V3, dataset)], "zarr.json")["codecs"]
        ]
        for dataset in ("ome/s0", "gzip", "blosc", "sharded/s0", "default")
    }
    assert codecs == {
        "ome/s0": ["bytes", "zstd"],
        "gzip": ["bytes", "gzip"],
        "blosc": ["bytes", "blosc"],
        "sharded/s0": ["sharding_indexed"],
        "default": ["bytes", "zstd"],
    }
    v2 = _stored(by_name[(EXPECTED.V2, "ome/s0")], ".zarray")
    assert (v2["compressor"]["id"], v2["dimension_separator"]) == ("zstd", ".")
    assert _stored(by_name[(EXPECTED.V2, "gzip")], ".zarray")["dtype"] == ">f8"


def test_a_centre_aligned_level_says_so() -> None:
    s1 = ZarrArrayConfig(
        name="s1", file_name=FIXTURES / EXPECTED.V3, dataset="ome/s1", mode="r"
    ).create_array()
    assert any("centre-aligned" in note for note in s1.attrs["dacapo_arrays:notes"])
