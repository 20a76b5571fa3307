from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray


def _open(container: Path, dataset: str) -> ZarrArray:
    return ZarrArray.open_from_array_identifier(ArrayIdentifier(container, dataset))


def test_write_a_roi_with_a_pyramid_and_a_progress_bar(tmp_path: Path, labels, cli) -> None:
    config, truth = labels
    config.to_file(tmp_path / "labels.yaml")
    output = tmp_path / "out.zarr"
    result = cli("write", str(tmp_path / "labels.yaml"), f"{output}/sub/copy",
                 "--roi", "[80:208, 24:152, 4:132]", "--pyramid", "1", "--block-shape", "8,16,16",
                 "--workers", "2")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"wrote {output}/sub/copy/s0: 8 block(s) in {_seconds(result.stdout, 0)} s (8 in all)",
        f"wrote {output}/sub/copy/s1: 1 block(s) in {_seconds(result.stdout, 1)} s (1 in all)",
        f"run folder (block tracking, worker logs): {output}.blocks/sub/copy",
    ]
    assert "out.zarr/sub/copy/s0: 100%" in result.stderr
    assert "voxels/s" in result.stderr
    roi = Roi((80, 24, 4), (128, 128, 128))
    s0 = _open(output, "sub/copy/s0")
    assert s0.roi == roi
    np.testing.assert_array_equal(s0[roi], truth[roi])
    assert _open(output, "sub/copy/s1").voxel_size == truth.voxel_size * 2


def _seconds(stdout: str, line: int) -> str:
    return stdout.splitlines()[line].split(" block(s) in ")[1].split(" s")[0]


def test_user_errors_exit_2_with_one_line_and_a_hint(tmp_path: Path, labels, cli, invoke) -> None:
    config, _ = labels
    config.to_file(tmp_path / "labels.yaml")
    base = ["write", str(tmp_path / "labels.yaml"), str(tmp_path / "out.zarr")]
    bad_roi = cli(*base, "--roi", "0:800,0:8a0,0:800")
    assert (bad_roi.returncode, bad_roi.stderr.splitlines()) == (2, [
        "error: cannot read ROI '0:800,0:8a0,0:800': axis 1 is '0:8a0', expected begin:end in "
        "world units (nm); write e.g. '0:800,0:800,0:800'",
        "hint: write the ROI as begin:end per spatial axis in nm, e.g. 0:800,0:800,0:800",
    ])  # fmt: skip
    outside = invoke(*base, "--roi", "0:800,0:800,0:800")
    assert outside.exit_code == 2
    assert outside.stderr.startswith("error: ROI [0:800, 0:800, 0:800] (nm) is not inside array")
    assert outside.stderr.splitlines()[1] == (
        "hint: `dacapo-arrays info CONFIG` shows the array's ROI and voxel size"
    )
    source = invoke("write", str(tmp_path / "labels.yaml"), str(tmp_path / "source.zarr"))
    assert source.exit_code == 2
    assert source.stderr.splitlines()[1] == (
        "hint: write to a new container or dataset; nothing was changed"
    )
    workers = invoke(*base, "--workers", "0")
    assert workers.exit_code == 2
    assert "Invalid value for '--workers'" in workers.stderr
    shape = invoke(*base, "--block-shape", "8,x")
    assert shape.exit_code == 2
    assert "is not a block shape" in shape.stderr
    assert not (tmp_path / "out.zarr").exists()


def test_an_output_that_is_no_container_is_refused(tmp_path: Path, labels, cli) -> None:
    config, _ = labels
    config.to_file(tmp_path / "labels.yaml")
    done = cli("write", str(tmp_path / "labels.yaml"), str(tmp_path / "out.txt"))
    assert done.returncode == 2
    assert "is not a zarr or N5 container; name it with .zarr or .n5" in done.stderr
    assert "--format zarr2|zarr3|n5" in done.stderr
    assert not (tmp_path / "out.txt").exists()
    assert not (tmp_path / "out.txt.blocks").exists()


def test_format_and_shards_from_the_command_line(tmp_path: Path, labels, cli) -> None:
    config, truth = labels
    config.to_file(tmp_path / "labels.yaml")
    done = cli("write", str(tmp_path / "labels.yaml"), str(tmp_path / "plain"),
               "--format", "zarr3", "--chunk-shape", "8,8,8", "--shards", "16,16,16",
               "--workers", "2", "--no-progress")  # fmt: skip
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / "plain" / "labels" / "s0" / "zarr.json").read_text())
    assert document["codecs"][0]["name"] == "sharding_indexed"
    out = _open(tmp_path / "plain", "labels/s0")
    np.testing.assert_array_equal(out[truth.roi], truth[truth.roi])
    bad = cli("write", str(tmp_path / "labels.yaml"), str(tmp_path / "x.zarr"),
              "--shards", "8,a")  # fmt: skip
    assert bad.returncode == 2
    assert "'8,a' is not a shard shape" in bad.stderr


def test_cli_messages_give_cli_advice(tmp_path: Path, labels, invoke) -> None:
    config, _ = labels
    config.to_file(tmp_path / "labels.yaml")
    base = ["write", str(tmp_path / "labels.yaml"), str(tmp_path / "out.zarr")]
    assert invoke(*base, "--workers", "1", "--no-progress").exit_code == 0
    again = invoke(*base, "--block-shape", "8,8,8", "--no-progress")
    assert again.exit_code == 2
    assert "pass --overwrite" in again.stderr
    assert "overwrite=True" not in again.stderr
    outside = invoke(*base, "--roi", "0:800,0:800,0:800")
    assert "give a --roi inside it" in outside.stderr
    assert "roi.intersect" not in outside.stderr
    misaligned = invoke(*base, "--roi", "17:81,0:40,4:40")
    assert "give a --roi in multiples of (8, 4, 4) nm" in misaligned.stderr
