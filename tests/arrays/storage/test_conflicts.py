"""Stored metadata that contradicts the metadata used: the array opens by the rule, and a
note names both statements and the rule that won (``dacapo_arrays:notes``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
from dacapo.experiments.datasplits.datasets.arrays._storage.conflicts import CONFLICT
from dacapo.experiments.datasplits.datasets.arrays._storage.units import NOTES


def _ome_group(path: Path, scale: list[float], translation: list[float], unit: str) -> zarr.Array:  # type: ignore[type-arg]
    group = zarr.open_group(str(path), mode="w")
    array = group.create_dataset("raw/s0", shape=(4, 6, 8), chunks=(2, 3, 4), dtype="u1")
    array[:] = np.arange(4 * 6 * 8, dtype="u1").reshape(4, 6, 8)
    axes = [{"name": n, "type": "space", "unit": unit} for n in "zyx"]
    transforms = [{"type": "scale", "scale": scale},
                  {"type": "translation", "translation": translation}]  # fmt: skip
    level = {"path": "s0", "coordinateTransformations": transforms}
    group["raw"].attrs["multiscales"] = [{"version": "0.4", "axes": axes, "datasets": [level]}]
    return array


def _conflicts(config: ZarrArrayConfig) -> list[str]:
    return [n for n in config.create_array().attrs.get(NOTES, []) if n.startswith(CONFLICT)]


def test_a_dataset_voxel_size_against_its_groups_ome_ngff(tmp_path: Path) -> None:
    array = _ome_group(tmp_path / "o.zarr", [4, 4, 4], [0, 0, 0], "nanometer")
    array.attrs.update({"resolution": [8, 8, 8]})
    config = ZarrArrayConfig(name="o", file_name=tmp_path / "o.zarr", dataset="raw/s0")
    assert config.create_array().voxel_size == Coordinate(4, 4, 4)  # OME-NGFF won
    (note,) = _conflicts(config)
    assert note.startswith(f"{CONFLICT}: the voxel size (4, 4, 4) nm was used ([4, 4, 4] ")
    assert "'scale' of dataset 's0'" in note
    assert (
        f"but [8, 8, 8] from 'resolution' in {tmp_path}/o.zarr/raw/s0/.zattrs says (8, 8, 8) nm"
        in note
    )
    assert "the rule: the first convention that matches wins: OME-NGFF multiscales" in note


def test_an_offset_conflict_and_agreement_across_units(tmp_path: Path) -> None:
    array = _ome_group(tmp_path / "o.zarr", [0.004, 0.004, 0.004], [0.008, 0, 0], "micrometer")
    array.attrs.update({"resolution": [4, 4, 4], "offset": [8, 0, 0]})  # the same, in nm
    config = ZarrArrayConfig(name="o", file_name=tmp_path / "o.zarr", dataset="raw/s0")
    assert _conflicts(config) == []
    array.attrs.update({"offset": [16, 0, 0]})
    (note,) = _conflicts(config)
    assert "the offset (8, 0, 0) nm was used" in note
    assert "says (16, 0, 0) nm" in note


@pytest.mark.filterwarnings("ignore::FutureWarning")  # zarr's N5Store
def test_n5_pixel_resolution_against_resolution(tmp_path: Path) -> None:
    array = zarr.create(store=zarr.n5.N5Store(str(tmp_path / "n.n5")), path="raw",
                        shape=(4, 6, 8), chunks=(2, 3, 4), dtype="u1")  # fmt: skip
    array[:] = 1
    array.attrs.update({"pixelResolution": {"dimensions": [4, 4, 8], "unit": "nm"},
                        "resolution": [4, 4, 4]})  # fmt: skip
    config = ZarrArrayConfig(name="n", file_name=tmp_path / "n.n5", dataset="raw")
    assert config.create_array().voxel_size == Coordinate(8, 4, 4)  # z, y, x
    (note,) = _conflicts(config)
    assert "the voxel size (8, 4, 4) nm was used" in note
    assert "'resolution' in" in note
    assert "says (4, 4, 4) nm" in note
    assert "N5 attributes are read 'pixelResolution' before 'resolution'" in note


def test_plain_resolution_against_voxel_size(tmp_path: Path) -> None:
    array = zarr.open_array(str(tmp_path / "p.zarr"), mode="w", shape=(4, 6, 8), dtype="u1")
    array.attrs.update({"resolution": [8, 8, 8], "voxel_size": [4, 4, 4], "offset": [0, 0, 0]})
    config = ZarrArrayConfig(name="p", file_name=tmp_path / "p.zarr", dataset="")
    (note,) = _conflicts(config)
    assert "the voxel size (8, 8, 8) nm was used" in note
    assert "plain attributes are read 'resolution' before 'voxel_size' before 'scale'" in note
    array.attrs.update({"voxel_size": [8, 8, 8]})
    assert _conflicts(config) == []
