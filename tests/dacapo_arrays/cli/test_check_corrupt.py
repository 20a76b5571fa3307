"""``check`` on real corrupted stores: a folder in place of a chunk, an N5 blockSize that
contradicts its blocks. Each is one problem naming the path, exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    ZarrArray,
    ZarrArrayConfig,
)


def _stored(folder: Path, fmt: str, container: str) -> Path:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(folder / container, "raw", format=fmt), ["z", "y", "x"],
        Roi((0, 0, 0), (8, 8, 8)), None, (1, 1, 1), "uint8", write_size=(4, 4, 4),
    )  # fmt: skip
    array[array.roi] = 5
    ZarrArrayConfig(name="c", file_name=folder / container, dataset="raw").to_file(
        folder / "c.yaml"
    )
    return folder / container / "raw"


def test_check_reports_a_folder_in_place_of_a_chunk(tmp_path: Path, cli) -> None:
    chunk = _stored(tmp_path, "zarr3", "c.zarr") / "c" / "0" / "1" / "0"
    chunk.unlink()
    chunk.mkdir()
    checked = cli("check", str(tmp_path / "c.yaml"))
    assert checked.returncode == 1
    assert f"chunk '{chunk}' is a folder, not a chunk file" in checked.stdout + checked.stderr


def test_check_reports_an_n5_block_size_that_contradicts_the_blocks(tmp_path: Path, cli) -> None:
    attributes = _stored(tmp_path, "n5", "c.n5") / "attributes.json"
    attributes.write_text(json.dumps({**json.loads(attributes.read_text()), "blockSize": [8] * 3}))
    checked = cli("check", str(tmp_path / "c.yaml"))
    assert checked.returncode == 1
    assert "holds 4x4x4 voxels, but the blockSize [8, 8, 8]" in checked.stdout + checked.stderr
