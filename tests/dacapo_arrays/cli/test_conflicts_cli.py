"""``info`` and ``check`` report conflicting metadata with the rule that won."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import zarr

from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig


def test_info_and_check_name_the_conflict_and_the_rule(tmp_path: Path, cli) -> None:
    group = zarr.open_group(str(tmp_path / "o.zarr"), mode="w")
    array = group.create_dataset("raw/s0", shape=(4, 6, 8), chunks=(2, 3, 4), dtype="u1")
    array[:] = np.ones((4, 6, 8), dtype="u1")
    array.attrs.update({"resolution": [8, 8, 8]})
    axes = [{"name": n, "type": "space", "unit": "nanometer"} for n in "zyx"]
    scale = [{"type": "scale", "scale": [4, 4, 4]}]
    level = {"path": "s0", "coordinateTransformations": scale}
    group["raw"].attrs["multiscales"] = [{"version": "0.4", "axes": axes, "datasets": [level]}]
    config = ZarrArrayConfig(name="o", file_name=tmp_path / "o.zarr", dataset="raw/s0")
    config.to_file(tmp_path / "o.yaml")
    rule = "the rule: the first convention that matches wins: OME-NGFF multiscales"
    info = cli("info", str(tmp_path / "o.yaml"))
    assert info.returncode == 0, info.stderr
    (note,) = [line for line in info.stdout.splitlines() if "conflicting metadata" in line]
    assert note.split()[0] == "note"
    assert "the voxel size (4, 4, 4) nm was used" in note
    assert rule in note
    checked = cli("check", str(tmp_path / "o.yaml"))
    assert checked.returncode == 0, checked.stdout
    lines = checked.stdout.splitlines()
    assert lines[0].startswith("⚠ $ (ZarrArrayConfig 'o'): conflicting metadata: ")
    assert rule in lines[0]
    assert lines[-1].endswith("1 store(s) reachable, 1 warning(s)")
