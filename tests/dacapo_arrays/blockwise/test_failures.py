"""Blocks that raise: retried, then reported with their ROI; every other block still written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray
from dacapo_arrays.blockwise import BlockwiseWriteError, WorkersFailedError, write

BLOCK = (8, 8, 8)
MIDDLE = "80_24_36"
#: The block whose source chunk is (1, 1, 1) in the `labels` fixture (8^3 chunks).
MIDDLE_ROI = Roi((80, 24, 36), Coordinate(BLOCK) * Coordinate(8, 4, 4))


def _open(container: Path, dataset: str) -> ZarrArray:
    return ZarrArray.open_from_array_identifier(ArrayIdentifier(container, dataset))


def test_a_failing_block_is_retried_and_then_succeeds(tmp_path: Path, labels, faults) -> None:
    config, truth = labels
    faults.set(FAULT_RAISE_ONCE=f"computed:s0:{MIDDLE}")
    result = write(config, ArrayIdentifier(tmp_path / "out.zarr", "x"), block_shape=BLOCK,
                   workers=1, progress=False)  # fmt: skip
    assert result.ok
    assert faults.log().count(f"computed:s0:{MIDDLE}") == 2
    np.testing.assert_array_equal(
        _open(tmp_path / "out.zarr", "x/s0")[truth.roi], truth[truth.roi]
    )


def test_a_block_that_keeps_failing_is_reported_and_redone_on_rerun(
    tmp_path: Path, labels, cli
) -> None:
    config, truth = labels
    chunk = tmp_path / "source.zarr" / "labels" / "1" / "1" / "1"
    good = chunk.read_bytes()
    chunk.write_bytes(b"not a blosc chunk")
    config_file = tmp_path / "labels.yaml"
    config.to_file(config_file)
    args = ["write", str(config_file), str(tmp_path / "out.zarr"), "--block-shape", "8,8,8",
            "--retries", "1", "--pyramid", "1", "--no-progress"]  # fmt: skip
    failed = cli(*args)
    assert failed.returncode == 1, failed.stderr
    lines = failed.stderr.splitlines()
    assert lines[0] == "error: 1 block(s) failed; re-run the write to retry only those:"
    assert lines[1].startswith("  labels/s0 [80:144, 24:56, 36:68] (nm): ")
    assert "not written (they need the failed level): ['labels/s1']" in lines[2]
    assert lines[3].startswith("hint: run the same command again to retry only the failed")
    out = _open(tmp_path / "out.zarr", "labels/s0")
    written = out[out.roi]
    expected = truth[truth.roi].copy()
    np.testing.assert_array_equal(written[out._slices(MIDDLE_ROI)], 0)  # never written
    expected[out._slices(MIDDLE_ROI)] = 0
    np.testing.assert_array_equal(written, expected)

    chunk.write_bytes(good)
    fixed = cli(*args)
    assert fixed.returncode == 0, fixed.stderr
    assert "wrote " in fixed.stdout
    assert "labels/s0: 1 block(s)" in fixed.stdout
    assert "74 already written (75 in all)" in fixed.stdout
    np.testing.assert_array_equal(out[out.roi], truth[truth.roi])


def test_failures_are_raised_together_after_every_other_block(
    tmp_path: Path, labels, faults
) -> None:
    config, _truth = labels
    faults.set(FAULT_RAISE_ONCE=f"written:s0:{MIDDLE}")
    with pytest.raises(BlockwiseWriteError, match=r"1 block\(s\) failed") as caught:
        write(config, ArrayIdentifier(tmp_path / "out.zarr", "x"), block_shape=BLOCK,
              workers=1, max_retries=0, progress=False, in_process=False)  # fmt: skip
    result = caught.value.result
    assert [(f.dataset, f.roi) for f in result.failures] == [("x/s0", MIDDLE_ROI)]
    assert result.failures[0].error == "RuntimeError: injected fault"
    assert result.levels[0].written == 74
    assert sum(line.startswith("computed") for line in faults.log()) == 75


def test_workers_that_keep_dying_stop_the_write_with_the_last_error(tmp_path: Path) -> None:
    # daisy's abandonment message, as daisy 2.0 words it (the full text is in server.log)
    reason = (
        "task 's0' was abandoned (worker restart cap exhausted): workers failed 11 times\n"
        "    block processing failed: Traceback (most recent call last):\n"
        "    _WorkerExitError: daisy worker subprocess exited with code 1\n"
        "    RuntimeError: worker launched with 'false python' exited with 1\n"
        "Fix the worker error or increase Task(max_worker_restarts=...)"
    )
    error = WorkersFailedError("out.zarr/x", tmp_path / "logs", reason)
    assert str(error) == (
        "the workers writing 'out.zarr/x' kept failing, so the write stopped; the last error: "
        f"RuntimeError: worker launched with 'false python' exited with 1; worker logs are in "
        f"{tmp_path / 'logs'}"
    )


def test_workers_load_no_code_named_by_the_environment(
    tmp_path: Path, labels, monkeypatch
) -> None:
    """The variable that once named a hook module is ignored: no import, the write runs."""
    config, truth = labels
    monkeypatch.setenv("DACAPO_ARRAYS_BLOCK_HOOK", "no_such_module_anywhere:hook")
    output = tmp_path / "out.zarr"
    result = write(config, ArrayIdentifier(output, "labels"), block_shape=(8, 8, 8), workers=1,
                   progress=False, in_process=False)  # fmt: skip
    assert result.ok
    out = ZarrArray.open_from_array_identifier(ArrayIdentifier(output, "labels/s0"))
    np.testing.assert_array_equal(out[out.roi], truth[truth.roi])
