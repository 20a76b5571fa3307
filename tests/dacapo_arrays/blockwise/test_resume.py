"""Kill the writer or a worker at the worst moments; the re-run must give the same bytes."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray
from dacapo_arrays.blockwise import write

BLOCK = (8, 8, 8)
#: A block in the middle of the `labels` fixture (its begin: offset + 8 voxels per axis).
MIDDLE = "80_24_36"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(c) for c in text.split()]
    return found


def _wait_gone(pids: list[int], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while any(Path(f"/proc/{p}").exists() for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)


def test_rerun_after_the_writer_was_killed_gives_the_same_bytes(
    tmp_path: Path, shared_labels, reference_write, faults, cli, snapshot, monkeypatch
) -> None:
    config, truth = shared_labels
    config_file = tmp_path / "labels.yaml"
    config.to_file(config_file)
    output = tmp_path / "run" / "out.zarr"
    args = [str(config_file), str(output), "--block-shape", "8,8,8", "--workers", "2"]
    faults.set(FAULT_SLEEP="0.05")
    process = subprocess.Popen([*faults.command, "write", *args, "--no-progress"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while sum(line.startswith("written") for line in faults.log()) < 10:
        assert time.monotonic() < deadline, "the write never got going"
        assert process.poll() is None, "the write ended before it was killed"
        time.sleep(0.05)
    workers = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    _wait_gone(workers)
    written_before = sum(line.startswith("written") for line in faults.log())
    assert 10 <= written_before < 75

    monkeypatch.delenv("FAULT_SLEEP")
    rerun = cli("write", *args)
    assert rerun.returncode == 0, rerun.stderr
    skipped = int(rerun.stdout.split(" already written")[0].rsplit(", ", 1)[1])
    assert 0 < skipped <= written_before
    assert snapshot(output) == snapshot(reference_write)
    out = ZarrArray.open_from_array_identifier(ArrayIdentifier(output, "labels/s0"))
    np.testing.assert_array_equal(out[out.roi], truth[truth.roi])


@pytest.mark.parametrize("stage", ["computed", "written"])
def test_a_worker_killed_mid_block_loses_nothing(
    tmp_path: Path, shared_labels, reference_write, faults, snapshot, stage: str
) -> None:
    config, _ = shared_labels
    faults.set(FAULT_KILL=f"{stage}:s0:{MIDDLE}")
    output = tmp_path / "run" / "out.zarr"
    result = write(config, ArrayIdentifier(output, "labels"), block_shape=BLOCK, workers=2,
                   progress=False, in_process=False)  # fmt: skip
    assert result.ok
    assert faults.log().count(f"computed:s0:{MIDDLE}") == 2  # killed once, then done again
    assert snapshot(output) == snapshot(reference_write)
    rerun = write(config, ArrayIdentifier(output, "labels"), block_shape=BLOCK, progress=False)
    assert rerun.levels[0].skipped == rerun.levels[0].blocks
    assert snapshot(output) == snapshot(reference_write)
