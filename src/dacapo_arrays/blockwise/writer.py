"""``write``: materialize any array tree into a zarr / N5 dataset, block by block, on daisy.

The main process plans the output, creates the datasets and runs one daisy task per level
(``s0``, then each pyramid level from the one below). Workers compute and write the blocks;
daisy marks a block done (on disk, in the run folder) only after its worker released it,
which happens after its write completed. A re-run of the same write skips the done blocks.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import uuid
from collections.abc import Sequence

from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, ArrayIdentifier
from dacapo.experiments.datasplits.datasets.arrays.tooling import check_blocks

from .guard import check_free_space, check_output_is_not_source, space_errors
from .in_process import runs_in_process
from .plan import Plan, make_plan
from .prepare import prepare_output
from .results import BlockwiseWriteError, LevelResult, WriteResult
from .roi import parse_roi
from .rundir import RunDir, default_run_dir
from .scheduler import Options, run_level


def _workers(workers: int | None) -> int:
    if workers is None:
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a whole number >= 1, got {workers!r}")
    return workers


def write(
    array_config: ArrayConfig,
    target: ArrayIdentifier,
    roi: Roi | str | None = None,
    block_shape: Sequence[int] | None = None,
    workers: int | None = None,
    pyramid_levels: int = 0,
    progress: bool = True,
    *,
    chunk_shape: Sequence[int] | None = None,
    shard_shape: Sequence[int] | None = None,
    launcher: str | Sequence[str] | None = None,
    host: str | None = None,
    max_retries: int = 2,
    timeout: float | None = None,
    downsample: str = "auto",
    overwrite: bool = False,
    run_dir: str | os.PathLike[str] | None = None,
    force: bool = False,
    in_process: bool | None = None,
) -> WriteResult:
    """Write ``array_config``'s array (over ``roi``, default: all of it) into ``target``.

    ``target`` names a container (``.zarr``, ``.n5``; path or URL; ``target.format`` picks
    ``"zarr2"``, ``"zarr3"`` or ``"n5"``) and a dataset ``NAME``: a multiscale group holding
    ``NAME/s0`` and, with ``pyramid_levels=k``, ``s1``..``sk`` (each 2x coarser), each
    created with ``ZarrArray.create_from_array_identifier``. The chunks are ``chunk_shape``
    voxels (default a power-of-two cube of about 2 MiB), grouped into zarr v3 shards of
    ``shard_shape`` voxels if given; blocks (``block_shape`` voxels, whole shards or chunks;
    default one shard, or 2x2x2 chunks, split further so every level keeps all workers busy;
    one chunk when only ``block_shape`` is given) run on ``workers`` processes
    here, or wherever ``launcher`` (e.g. ``"srun -N1"``) starts them; workers started with
    ``dacapo-arrays worker RUN_DIR`` join on their own. ``host`` is the address workers
    connect to (default ``127.0.0.1``, or detected when a launcher is given; ``"auto"`` to
    detect).

    ``in_process``: run the blocks in this process (``True``, with ``workers`` threads) or on
    daisy worker processes (``False``); by default (``None``) small local writes (up to 512³
    voxels, 512 blocks; no launcher or timeout) run in process, which saves the second or
    so that starting workers costs. Both keep the same block tracking.

    A tree in another world unit than nm (``ZarrArrayConfig(world_unit="0.01 nm")``) is
    written in nm, exactly (5.24 for 524): the output opens with that world unit again
    (``ArrayIdentifier(..., world_unit=...)`` or ``ZarrArrayConfig(world_unit=...)``).

    Interrupted writes resume: calling ``write`` again skips every block already written.
    A block that raises is retried ``max_retries`` times; failures are raised together at
    the end as :class:`BlockwiseWriteError`, after every other block was written.

    Refused before anything is created: an output that overlaps a dataset the config reads
    (``OutputIsSourceError``), and a plan of more blocks than ``DACAPO_ARRAYS_MAX_BLOCKS``
    unless ``force`` (``RequestTooLargeError``).
    """
    check_output_is_not_source(array_config, target)
    if isinstance(roi, str):
        roi = parse_roi(roi)
    workers = _workers(workers)
    array = array_config.create_array()
    plan = make_plan(
        array_config,
        array,
        target,
        roi=roi,
        block_shape=block_shape,
        chunk_shape=chunk_shape,
        shard_shape=shard_shape,
        pyramid_levels=pyramid_levels,
        downsample=downsample,
        workers=workers,
    )
    blocks = sum(lv.num_blocks for lv in plan.levels)
    check_blocks(f"writing {target.dataset!r}", blocks, force=force)
    check_free_space(target, blocks)
    folder = RunDir(run_dir if run_dir is not None else default_run_dir(target))
    with space_errors(target, folder.path):
        plan = prepare_output(plan, folder, overwrite=overwrite)
    options = Options(
        workers=workers,
        launcher=tuple(shlex.split(launcher) if isinstance(launcher, str) else launcher or ()),
        host=host,
        max_retries=max_retries,
        timeout=timeout,
        progress=progress,
    )
    here = runs_in_process(
        plan, requested=in_process, launcher=options.launcher, timeout=options.timeout
    )
    with space_errors(target, folder.path):  # a full disk: a clear error, resumable
        return _run(plan, folder, options, here)


def _run(plan: Plan, folder: RunDir, options: Options, in_process: bool) -> WriteResult:
    folder.update_record(status="running", run=uuid.uuid4().hex)
    try:
        result = _run_levels(plan, folder, options, in_process)
    except BaseException:
        with contextlib.suppress(OSError):  # on a full disk, the error that led here wins
            folder.update_record(status="failed")  # joined workers stop waiting
        raise
    if result.ok:
        folder.update_record(status="complete")
        return result
    with contextlib.suppress(OSError):  # on a full disk, the failures say why
        folder.update_record(status="failed")
    raise BlockwiseWriteError(result)


def _run_levels(plan: Plan, folder: RunDir, options: Options, in_process: bool) -> WriteResult:
    """Each level in turn, the blocks not done yet; a failed level stops the levels above."""
    results: list[LevelResult] = []
    not_written: list[str] = []
    for level in plan.levels:
        if results and results[-1].failures:
            not_written.append(level.dataset)
            continue
        complete = (folder.read_record() or {}).get("complete_levels", [])
        if level.task_id in complete:  # every block done: no need to start workers
            blocks = level.num_blocks
            results.append(LevelResult(level.dataset, blocks, 0, blocks, 0.0, []))
            continue
        results.append(run_level(plan, level, folder, options, in_process=in_process))
        if not results[-1].failures:
            folder.update_record(complete_levels=[*complete, level.task_id])
    return WriteResult(plan.container, folder.path, results, not_written)


__all__ = ["write"]
