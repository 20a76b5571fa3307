"""Small writes in the calling process: same bytes and block tracking as worker processes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray
from dacapo_arrays.blockwise import write
from dacapo_arrays.blockwise.in_process import SMALL_VOXELS, daisy_order, runs_in_process
from dacapo_arrays.blockwise.plan import Level, Plan

BLOCK = (8, 8, 8)
MIDDLE = "80_24_36"


def _open(container: Path, dataset: str) -> ZarrArray:
    return ZarrArray.open_from_array_identifier(ArrayIdentifier(container, dataset))


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _plan(side: int, container: str = "/data/out.zarr", block: int = 128) -> Plan:
    level = Level(0, "x", Roi((0, 0, 0), (side,) * 3), Coordinate(1, 1, 1),
                  Coordinate((block,) * 3), Coordinate((block,) * 3))  # fmt: skip
    return Plan({}, container, ["z", "y", "x"], None, "|u1", False, [level])


def test_small_local_plans_run_in_process_others_on_workers() -> None:
    def decide(plan: Plan, **options: object) -> bool:
        settings: dict[str, object] = {"requested": None, "launcher": (), "timeout": None}
        return runs_in_process(plan, **{**settings, **options})  # type: ignore[arg-type]

    assert decide(_plan(512))
    assert not decide(_plan(1024))
    assert not decide(_plan(512, block=8))  # 2^18 blocks
    assert not decide(_plan(512, container="s3://bucket/out.zarr"))
    assert not decide(_plan(512), launcher=("srun",))
    assert not decide(_plan(512), timeout=60.0)
    assert decide(_plan(1024), requested=True)
    assert not decide(_plan(64), requested=False)
    assert _plan(512).levels[0].num_voxels == SMALL_VOXELS
    with pytest.raises(ValueError, match=r"in_process=True runs no workers, but a launcher "):
        decide(_plan(64), requested=True, launcher=("srun", "-N1"))
    with pytest.raises(TypeError, match=r"in_process must be True, False or None .*'yes'"):
        decide(_plan(64), requested="yes")


def test_daisy_order_lists_every_block_once() -> None:
    level = _plan(40, block=16).levels[0]
    order = daisy_order(level)
    assert len(order) == level.num_blocks == 27
    assert len({tuple(roi.begin) for roi in order}) == 27


@pytest.mark.parametrize("levels", [0, 1])
def test_in_process_writes_the_bytes_workers_write(tmp_path: Path, labels, faults, levels) -> None:
    config, truth = labels
    outputs = {}
    for in_process in (True, False):
        faults.clear()
        output = tmp_path / f"{in_process}.zarr"
        result = write(config, ArrayIdentifier(output, "labels"), block_shape=BLOCK, workers=2,
                       pyramid_levels=levels, progress=False, in_process=in_process)  # fmt: skip
        assert result.ok
        assert [level.written for level in result.levels] == [
            level.blocks for level in result.levels
        ]
        pids = {line.split()[1] for line in faults.log_file.read_text().splitlines()}
        assert (pids == {str(os.getpid())}) is in_process
        outputs[in_process] = _files(output)
    assert outputs[True] == outputs[False]
    s0 = _open(tmp_path / "True.zarr", "labels/s0")
    np.testing.assert_array_equal(s0[s0.roi], truth[truth.roi])


def test_a_failing_block_hands_the_rest_to_workers_which_skip_what_was_written(
    tmp_path: Path, labels, faults
) -> None:
    config, truth = labels
    faults.set(FAULT_RAISE_ONCE=f"written:s0:{MIDDLE}")
    output = tmp_path / "out.zarr"
    result = write(config, ArrayIdentifier(output, "x"), block_shape=BLOCK, workers=1,
                   max_retries=0, progress=False)  # fmt: skip
    assert result.ok
    log = [line.split() for line in faults.log_file.read_text().splitlines()]
    here = [stage for stage, pid in log if pid == str(os.getpid())]
    elsewhere = [stage for stage, pid in log if pid != str(os.getpid())]
    assert f"written:s0:{MIDDLE}" in here  # failed here once, then done by a worker
    assert f"written:s0:{MIDDLE}" in elsewhere
    written = {stage for stage in here + elsewhere if stage.startswith("written")}
    assert len(written) == 75
    done_here = {stage for stage in here if stage.startswith("written")} - {f"written:s0:{MIDDLE}"}
    assert len(done_here) > 1
    # the workers skipped every block marked done here; only the one block written ahead
    # (workers=1) before the failure stopped daisy, never marked, is written again
    assert len(done_here & set(elsewhere)) <= 1
    np.testing.assert_array_equal(_open(output, "x/s0")[truth.roi], truth[truth.roi])
