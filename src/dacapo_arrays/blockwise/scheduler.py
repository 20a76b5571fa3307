"""One level of a write on daisy: the task, its workers, its progress, its failures."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

import attrs
import daisy

from .guard import no_space
from .in_process import compute_ahead
from .plan import Level, Plan
from .progress import BarObserver
from .results import BlockFailure, LevelResult, WorkersFailedError
from .rundir import RunDir
from .worker import BlockFailedError, BlockProcessor, WorkerFunction


@attrs.frozen
class Options:
    """How to run blocks: how many workers, started how, reached where, retried how often."""

    workers: int
    launcher: tuple[str, ...]
    host: str | None
    max_retries: int
    timeout: float | None
    progress: bool

    @property
    def daisy_host(self) -> str | None:
        if self.host == "auto":
            return None
        if self.host is None:
            return None if self.launcher else "127.0.0.1"
        return self.host


def _task(level: Level, folder: RunDir, options: Options, function: Any = None) -> Any:
    """daisy's task for ``level``: ``function`` per block, or (default) worker processes."""
    function = function or WorkerFunction(
        run_dir=str(folder.path),
        task_id=level.task_id,
        nonce=uuid.uuid4().hex,
        launcher=options.launcher,
    )
    extra: dict[str, Any] = {} if options.timeout is None else {"timeout": options.timeout}
    return daisy.Task(
        task_id=level.task_id,
        total_roi=level.roi,
        read_roi=level.block,
        write_roi=level.block,
        process_function=function,
        read_write_conflict=False,
        fit="shrink",
        max_workers=min(options.workers, level.num_blocks),
        max_retries=options.max_retries,
        tracking_path=str(folder.tracking(level.task_id)),
        **extra,
    )


def _observer(plan: Plan, level: Level, options: Options) -> Any:
    return options.progress and BarObserver(
        f"{Path(plan.container).name}/{level.dataset}",
        level.num_voxels / level.num_blocks,
        level.num_blocks,
    )


def run_level(
    plan: Plan, level: Level, folder: RunDir, options: Options, *, in_process: bool = False
) -> LevelResult:
    """Run the blocks of ``level`` not done yet; failures come back in the result.

    ``in_process``: in this process (see :mod:`.in_process`); a block that still fails after
    its retries hands the rest of the level to worker processes, which retry and report it.
    """
    start = time.monotonic()
    resumed = folder.tracking(level.task_id).exists()
    folder.clear_errors(level.task_id)
    if in_process:
        observer = _observer(plan, level, options)
        function = compute_ahead(BlockProcessor(plan, level, folder), workers=options.workers,
                                 retries=options.max_retries, resumed=resumed,
                                 observer=observer or None)  # fmt: skip
        task = _task(level, folder, options, function=function)
        try:
            states = _run_daisy(task, observer, folder, options, multiprocessing=False)
            return _result(level, folder, task, states, start)
        except BlockFailedError as err:
            if no_space(err):  # workers would meet the same full disk
                raise
            # else the workers retry it and report it with the other failures
        finally:
            function.close()
    task = _task(level, folder, options)
    try:
        states = _run_daisy(task, _observer(plan, level, options), folder, options)
    except RuntimeError as err:  # daisy abandons a task whose workers keep dying
        where = f"{plan.container}/{level.dataset}"
        raise WorkersFailedError(where, folder.logs, str(err)) from err
    return _result(level, folder, task, states, start)


def _result(level: Level, folder: RunDir, task: Any, states: Any, start: float) -> LevelResult:
    state = states[level.task_id]
    failures = [
        BlockFailure(level.dataset, block.write_roi, _error(folder, level, block, state))
        for block in task.failed_blocks()
    ]
    return LevelResult(
        dataset=level.dataset,
        blocks=int(state.total_block_count),
        written=int(state.completed_count) - int(state.skipped_count),
        skipped=int(state.skipped_count),
        seconds=time.monotonic() - start,
        failures=failures,
    )


def _run_daisy(
    task: Any, observer: Any, folder: RunDir, options: Options, *, multiprocessing: bool = True
) -> dict[str, Any]:
    from daisy import logging as daisy_logging

    previous = daisy_logging.get_log_basedir()
    context = os.environ.get("DAISY_CONTEXT")
    daisy_logging.set_log_basedir(folder.logs)
    try:
        with server_output_to(folder.logs / "server.log") as terminal:
            if observer:
                observer.file = terminal
            states: dict[str, Any] = daisy.run_blockwise(
                task,
                multiprocessing=multiprocessing,
                progress=observer if multiprocessing else False,
                host=options.daisy_host,
                return_states=True,
                summary=False,
            )
            if observer and not multiprocessing:  # the serial runner draws no progress
                observer.on_finish(states)
            return states
    finally:
        daisy_logging.set_log_basedir(previous)
        # daisy leaves its last worker's context in this process's environment
        if context is None:
            os.environ.pop("DAISY_CONTEXT", None)
        else:
            os.environ["DAISY_CONTEXT"] = context


def _is_fd2(stream: Any) -> bool:
    try:
        return bool(stream.fileno() == 2)
    except (AttributeError, OSError, ValueError):
        return False


def _copy_to_log(source: int, log: Path) -> None:
    """Copy what arrives on the pipe ``source`` to ``log`` until it closes; best effort: a
    log that cannot be written (a full disk) loses text, the pipe is still drained."""
    try:
        file: Any = open(log, "ab")  # noqa: SIM115 (closed below, after the pipe)
    except OSError:
        file = None
    try:
        while chunk := os.read(source, 65536):
            if file is not None:
                with contextlib.suppress(OSError):
                    file.write(chunk)
                    file.flush()
    finally:
        os.close(source)
        if file is not None:
            with contextlib.suppress(OSError):
                file.close()


@contextlib.contextmanager
def server_output_to(log: Path) -> Iterator[TextIO]:
    """Send what daisy's server prints to file descriptor 2 (a warning per failed or lost
    block, with its traceback) to ``log``; yield a stream to the terminal for the progress
    bar. Failures are summarized once at the end instead.

    File descriptor 2 becomes a pipe that a thread copies to ``log``: daisy's server aborts
    when a write to its standard error fails, as one to a file on a full disk does.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved = os.dup(2)
    source, sink = os.pipe()
    copier = threading.Thread(target=_copy_to_log, args=(source, log), daemon=True)
    copier.start()
    try:
        os.dup2(sink, 2)
        os.close(sink)
        with os.fdopen(os.dup(saved), "w", buffering=1) as terminal:
            yield terminal if _is_fd2(sys.stderr) else sys.stderr
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # closes the pipe's last end here: the copier ends
        os.close(saved)
        copier.join(timeout=5)


def _error(folder: RunDir, level: Level, block: Any, state: Any) -> str:
    recorded = folder.read_error(level.task_id, block.write_roi)
    if recorded is not None:
        return recorded
    last = (state.last_worker_error or "").strip().splitlines()
    return last[-1] if last else "failed (no error recorded; see the worker logs)"
