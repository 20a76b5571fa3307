"""The worker side: compute and write blocks handed out by a daisy server.

Every worker is its own process (daisy spawns local ones; remote ones are started by a
launcher or by hand). A worker receives the plan as plain data, builds the array tree once,
then loops: acquire a block, ``array[block]``, write it, release it. A block whose write
raised is reported to the server (which retries it) and recorded in the run folder; the
worker goes on with the next block.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any, ClassVar

import attrs
import daisy
import numpy as np
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import Array, ArrayConfig, ZarrArray, format_roi
from dacapo.experiments.datasplits.datasets.arrays.kernels import halve

from .plan import Level, Plan
from .rundir import RunDir

#: ``observer(stage, task_id, roi)``, called at ``"computed"`` (before the write) and
#: ``"written"`` (before the block is released).
BlockObserver = Callable[[str, str, Roi], None]

#: Statuses of a write that has ended (in ``run.json``).
FINAL = ("complete", "failed")


class BlockFailedError(RuntimeError):
    """A block's computation or write raised; the message names the block's ROI."""


class BlockProcessor:
    """Computes and writes the blocks of one level; opens its arrays once per process.

    ``observer`` (default: :attr:`installed_observer`) is called at each stage of a block.
    """

    #: The observer of processors made in this process; ``None`` in production. Only the
    #: testing kit sets it (:mod:`dacapo_arrays.testing.faults`).
    installed_observer: ClassVar[BlockObserver | None] = None

    def __init__(
        self, plan: Plan, level: Level, run_dir: RunDir, observer: BlockObserver | None = None
    ) -> None:
        self.plan = plan
        self.level = level
        self.run_dir = run_dir
        self._arrays: tuple[Array, ZarrArray] | None = None
        self.observer = observer or BlockProcessor.installed_observer

    def open(self) -> tuple[Array, ZarrArray]:
        """The source and target arrays, opened on first use (call it before threads do)."""
        if self._arrays is None:
            if self.level.index == 0:
                source = ArrayConfig.from_dict(self.plan.config).create_array()
            else:
                below = self.plan.levels[self.level.index - 1]
                source = ZarrArray.open_from_array_identifier(self.plan.identifier(below))
            target = ZarrArray.open_from_array_identifier(self.plan.identifier(self.level))
            self._arrays = (source, target)
        return self._arrays

    def compute(self, roi: Roi) -> np.ndarray:
        """The voxels of ``roi`` at this level, as they will be stored."""
        source, _ = self.open()
        data = source[roi]
        if self.level.downsample is not None:
            data = halve(data, self.level.voxel_size.dims, self.level.downsample)
        elif self.plan.squeeze:
            data = data[0]
        return data

    def process(self, roi: Roi) -> None:
        """Compute and write ``roi``; on failure record it and raise :class:`BlockFailedError`."""
        task_id = self.level.task_id
        try:
            data = self.compute(roi)
            if self.observer is not None:
                self.observer("computed", task_id, roi)
            self.open()[1][roi] = data
            if self.observer is not None:
                self.observer("written", task_id, roi)
        except Exception as err:
            message = f"{type(err).__name__}: {err}"
            self.run_dir.record_error(task_id, roi, message)
            raise BlockFailedError(f"block {format_roi(roi)} failed: {message}") from err


def serve(context: Any, processor: BlockProcessor) -> int:
    """Process blocks from the server in ``context`` until it has none left; count them."""
    client = daisy.Client(context)
    done = 0
    while True:
        try:
            with client.acquire_block() as block:
                if block is None:
                    return done
                processor.process(block.write_roi)
                done += 1
        except BlockFailedError:
            continue  # reported to the server, which retries it; go on with the next block


def load_plan(run_dir: RunDir) -> Plan:
    record = run_dir.read_record()
    if record is None or "plan" not in record:
        raise FileNotFoundError(
            f"no write to join in {str(run_dir.path)!r}: it has no run.json; pass the run "
            f"folder that `dacapo-arrays write` printed (<output>.blocks/<dataset>)"
        )
    return Plan.from_json(record["plan"])


def level_of(plan: Plan, task_id: str) -> Level:
    for level in plan.levels:
        if level.task_id == task_id:
            return level
    raise ValueError(f"task {task_id!r} is not a level of this write ({len(plan.levels)} levels)")


def _installed_observer() -> BlockObserver | None:
    return BlockProcessor.installed_observer


@attrs.frozen
class WorkerFunction:
    """daisy's process function for one level: one call per worker slot, in its own process.

    It publishes the server address (for workers that join by themselves), then either serves
    blocks here or runs ``launcher dacapo-arrays worker RUN_DIR`` (e.g. ``srun``) with the
    daisy context in the environment. It is made in the writing process (``owner_pid``) and
    carries that process's block observer, if any, to the worker processes.
    """

    run_dir: str
    task_id: str
    nonce: str
    launcher: tuple[str, ...] = ()
    owner_pid: int = attrs.field(factory=os.getpid)
    observer: BlockObserver | None = attrs.field(factory=_installed_observer, repr=False)

    def __call__(self, *, context: Any) -> None:
        run_dir = RunDir(self.run_dir)
        run_dir.reserve_tracking(self.task_id)  # a full disk: an error here, not SIGBUS later
        server = {k: v for k, v in context.items() if k != "worker_id"}
        run_dir.publish_server({"nonce": self.nonce, "context": server})
        if self.launcher:
            self._launch(context)
            return
        plan = load_plan(run_dir)
        level = level_of(plan, self.task_id)
        serve(context, BlockProcessor(plan, level, run_dir, self.observer))
        self.end_worker_process()

    def _launch(self, context: Any) -> None:
        command = [*self.launcher, *worker_command(self.run_dir)]
        env = {**os.environ, "DAISY_CONTEXT": context.to_env()}
        code = subprocess.run(command, env=env, check=False).returncode
        if code != 0:
            raise RuntimeError(f"worker launched with {shlex.join(command)!r} exited with {code}")

    def end_worker_process(self) -> None:
        """End the worker process now that its blocks are written and released.

        Called in a process other than the one that made this function, this is a worker
        process that daisy started (from a pickled copy) to run it and nothing else: nothing
        is left to do in it, and the level would wait for the interpreter's teardown
        (tensorstore's objects, every module). Called in the making process (the function
        run in-process), it returns. Output is flushed first.
        """
        if os.getpid() == self.owner_pid:
            return
        import logging

        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(0)


def worker_command(run_dir: str) -> list[str]:
    """The command that runs one worker of the write in ``run_dir``."""
    return [sys.executable, "-m", "dacapo_arrays.cli", "worker", run_dir, "--launched"]


def run_launched_worker(run_dir: RunDir) -> int:
    """Serve the level named by ``DAISY_CONTEXT`` (set by the launching worker slot)."""
    context = daisy.Context.from_env()
    plan = load_plan(run_dir)
    return serve(context, BlockProcessor(plan, level_of(plan, context["task_id"]), run_dir))


def join(run_dir: RunDir, wait: float = 120.0, poll: float = 0.2) -> int:
    """Join every level the write in ``run_dir`` runs, until it ends; count blocks written.

    Waits up to ``wait`` seconds for a (next) level's server to appear, so a worker may start
    before the write does.
    """
    seen: set[str] = set()
    done = 0
    deadline = time.monotonic() + wait
    first = run_dir.read_record() or {}
    ended = first.get("run") if first.get("status") in FINAL else None  # wait for a new run
    while time.monotonic() < deadline:
        record = run_dir.read_record() or {}
        if record.get("status") in FINAL and record.get("run") != ended:
            return done
        server = run_dir.read_server()
        if server is not None and server["nonce"] not in seen and "plan" in record:
            seen.add(server["nonce"])
            context = daisy.Context(**{**server["context"], "worker_id": "-1"})
            plan = Plan.from_json(record["plan"])
            level = level_of(plan, context["task_id"])
            done += serve(context, BlockProcessor(plan, level, run_dir))
            deadline = time.monotonic() + wait
        time.sleep(poll)
    return done
