"""What a worker process pays before its first block: imports, and how it ends."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray
from dacapo_arrays.blockwise import write
from dacapo_arrays.blockwise.worker import WorkerFunction

#: Modules a worker of a zarr write never needs (other kinds' stores, the CLI, the viewer).
NOT_FOR_WORKERS = ("tifffile", "requests", "urllib3", "neuroglancer", "click")


def test_the_worker_module_imports_no_other_kinds_or_cli() -> None:
    code = (
        "import json, sys; import dacapo_arrays.blockwise.worker; "
        f"print(json.dumps([m for m in {NOT_FOR_WORKERS!r} if m in sys.modules]))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []


#: Ends with what a worker does once its blocks are released, then says it went on.
THEN = """
print("started", flush=True)
function.end_worker_process()
print("went on")
"""
#: The process that makes the function (as the writer does).
MAKER = "from dacapo_arrays.blockwise.worker import WorkerFunction\n" + (
    "function = WorkerFunction('/nowhere', 's0', 'n')\n" + THEN
)
#: A process that runs a pickled copy (as daisy's worker processes do).
WORKER = "import pickle, sys\nfunction = pickle.loads(sys.stdin.buffer.read())\n" + THEN


def test_ending_early_is_only_for_worker_processes() -> None:
    """The process that made the function goes on; a process that got a pickled copy ends
    at once, exit code 0, after flushing what it printed. Both in a child, so that ending
    early by mistake fails this test instead of ending pytest."""
    maker = subprocess.run([sys.executable, "-c", MAKER], capture_output=True, text=True)
    assert maker.returncode == 0, maker.stderr
    assert maker.stdout.split() == ["started", "went", "on"]
    function = WorkerFunction(run_dir="/nowhere", task_id="s0", nonce="n")
    worker = subprocess.run(
        [sys.executable, "-c", WORKER], input=pickle.dumps(function), capture_output=True
    )
    assert worker.returncode == 0, worker.stderr
    assert worker.stdout.split() == [b"started"]


def test_workers_that_end_early_leave_every_block_written(tmp_path: Path, labels) -> None:
    config, truth = labels
    output = tmp_path / "out.zarr"
    result = write(config, ArrayIdentifier(output, "labels"), block_shape=(8, 8, 8), workers=2,
                   progress=False, in_process=False)  # fmt: skip
    assert result.ok
    assert result.levels[0].written == result.levels[0].blocks
    out = ZarrArray.open_from_array_identifier(ArrayIdentifier(output, "labels/s0"))
    np.testing.assert_array_equal(out[out.roi], truth[truth.roi])
    logs = sorted((result.run_dir / "logs").rglob("*.err"))
    assert all("Traceback" not in log.read_text() for log in logs)
