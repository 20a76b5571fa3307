"""Workers from elsewhere: started by hand (they join), or by a launcher such as srun."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray
from dacapo_arrays.blockwise import write


def _open(container: Path, dataset: str) -> ZarrArray:
    return ZarrArray.open_from_array_identifier(ArrayIdentifier(container, dataset))


def test_workers_started_separately_join_every_level(tmp_path: Path, labels, faults) -> None:
    config, truth = labels
    output = tmp_path / "out.zarr"
    run_dir = tmp_path / "out.zarr.blocks" / "labels"
    faults.set(FAULT_SLEEP="0.05")
    joiners = [
        subprocess.Popen(
            [*faults.command, "worker", str(run_dir), "--wait", "60"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    result = write(config, ArrayIdentifier(output, "labels"), block_shape=(8, 8, 8), workers=1,
                   pyramid_levels=1, progress=False, in_process=False)  # fmt: skip
    outputs = [joiner.communicate(timeout=60) for joiner in joiners]
    assert [joiner.returncode for joiner in joiners] == [0, 0], outputs
    counts = [int(out.split("worker: wrote ")[1].split()[0]) for out, _ in outputs]
    assert all(count > 0 for count in counts), outputs
    assert sum(counts) < result.levels[0].blocks + result.levels[1].blocks
    s0 = _open(output, "labels/s0")
    np.testing.assert_array_equal(s0[s0.roi], truth[truth.roi])
    pids = {line.split()[1] for line in (faults.log_file.read_text().splitlines())}
    assert len(pids) >= 3  # the local worker and both joiners wrote blocks


LAUNCHER = """
import subprocess, sys
with open(sys.argv[1], "a") as log:
    log.write(" ".join(sys.argv[2:]) + "\\n")
sys.exit(subprocess.run(sys.argv[2:]).returncode)
"""


def test_a_launcher_starts_each_worker(tmp_path: Path, labels) -> None:
    config, truth = labels
    script = tmp_path / "fake_srun.py"
    script.write_text(LAUNCHER)
    log = tmp_path / "launched.txt"
    output = tmp_path / "out.zarr"
    write(config, ArrayIdentifier(output, "labels"), block_shape=(8, 8, 8), workers=2,
          launcher=[sys.executable, str(script), str(log)], host="127.0.0.1",
          progress=False)  # fmt: skip
    launched = log.read_text().splitlines()
    run_dir = tmp_path / "out.zarr.blocks" / "labels"
    assert 1 <= len(launched) <= 2
    assert all(
        line.endswith(f"-m dacapo_arrays.cli worker {run_dir} --launched") for line in launched
    )
    out = _open(output, "labels/s0")
    np.testing.assert_array_equal(out[out.roi], truth[truth.roi])


def test_worker_errors_are_one_line_and_a_hint(tmp_path: Path, cli, invoke) -> None:
    missing = cli("worker", str(tmp_path / "nowhere"), "--wait", "0")
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        f"error: run folder '{tmp_path / 'nowhere'}' does not exist; start `dacapo-arrays "
        "write` first (it prints the folder), or pass --wait SECONDS to wait for it to appear",
        "hint: check the path",
    ]
    idle = invoke("worker", str(tmp_path), "--wait", "0.3")
    assert idle.exit_code == 2
    assert idle.stderr.startswith(
        f"error: no write started in run folder '{tmp_path}' within 0.3 s"
    )
