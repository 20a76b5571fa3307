"""Small writes in the calling process: no worker processes to spawn, import and connect.

A write's fixed cost on daisy workers is about a second (each worker is a fresh Python that
imports numpy, tensorstore and the arrays, then opens the tree); for a 512³ volume that was
most of the write. A small plan (see :func:`runs_in_process`) runs instead with daisy's
serial runner in this process: daisy hands out the same blocks and writes the same done
markers (after each block's write returned), so an interrupted small write resumes like a
large one, with workers or without. The next ``workers`` blocks in daisy's order are
computed and written ahead on threads; daisy marks a block done only when its call for that
block returns, which waits for the block's write.

Large writes, remote outputs, a launcher or a timeout keep daisy's worker processes.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import attrs
import daisy
from funlib.geometry import Roi

from .plan import Level, Plan
from .worker import BlockProcessor

#: A plan runs in process when its first level has at most this many voxels ...
SMALL_VOXELS = 512**3
#: ... and all its levels together at most this many blocks.
SMALL_BLOCKS = 512


def _is_local(container: str) -> bool:
    scheme = urlsplit(container).scheme
    return scheme in ("", "file") or len(scheme) == 1


def runs_in_process(
    plan: Plan, *, requested: bool | None, launcher: tuple[str, ...], timeout: float | None
) -> bool:
    """Whether ``plan`` runs in this process: ``requested`` when given, else when it is small
    (:data:`SMALL_VOXELS`, :data:`SMALL_BLOCKS`), local, with no launcher and no timeout."""
    if requested is not None and not isinstance(requested, bool):
        raise TypeError(f"in_process must be True, False or None (auto), got {requested!r}")
    if requested and launcher:
        raise ValueError(
            f"in_process=True runs no workers, but a launcher {' '.join(launcher)!r} was given "
            f"to start them; pass one or the other"
        )
    if requested is not None:
        return requested
    return (
        not launcher
        and timeout is None
        and _is_local(plan.container)
        and plan.levels[0].num_voxels <= SMALL_VOXELS
        and sum(level.num_blocks for level in plan.levels) <= SMALL_BLOCKS
    )


def _key(roi: Roi) -> tuple[int, ...]:
    return tuple(int(b) for b in roi.begin)


def daisy_order(level: Level) -> list[Roi]:
    """The write ROIs of ``level``'s blocks in the order daisy hands them out."""
    probe = daisy.Task(
        task_id=level.task_id,
        total_roi=level.roi,
        read_roi=level.block,
        write_roi=level.block,
        process_function=lambda block: None,
        read_write_conflict=False,
        fit="shrink",
        max_workers=1,
    )
    scheduler = daisy.Scheduler(probe)
    order = []
    while (block := scheduler.acquire_block(level.task_id)) is not None:
        order.append(block.write_roi)
        block.status = daisy.BlockStatus.SUCCESS
        scheduler.release_block(block)
    return order


@attrs.frozen
class Counts:
    """What a progress observer reads of daisy's task state."""

    total_block_count: int
    completed_count: int
    skipped_count: int = 0
    failed_count: int = 0


class ComputeAhead:
    """daisy's block function for a level run in process: this block done, the next ahead.

    Called by daisy's serial runner once per block not done yet. It starts processing
    (computing and writing) the next ``depth`` blocks of ``order`` on threads, then waits
    for this one (processed ahead, or now), retrying ``retries`` times; a block that still
    fails raises :class:`~.worker.BlockFailedError`, recorded in the run folder like a
    worker's.
    """

    def __init__(
        self,
        processor: BlockProcessor,
        order: list[Roi],
        *,
        depth: int,
        retries: int,
        observer: Any = None,
    ) -> None:
        self.processor = processor
        self.observer = observer
        self.written = 0
        self.order = order
        self.position = {_key(roi): index for index, roi in enumerate(order)}
        self.depth = depth
        self.retries = retries
        self._pool = ThreadPoolExecutor(depth, "dacapo-block") if depth > 0 else None
        self._ahead: dict[tuple[int, ...], Future[None]] = {}
        self._lock = threading.Lock()
        self._reserved = False

    def _start_after(self, roi: Roi) -> None:
        if self._pool is None:
            return
        index = self.position.get(_key(roi), len(self.order))
        for following in self.order[index + 1 : index + 1 + self.depth]:
            key = _key(following)
            with self._lock:
                if key not in self._ahead:
                    self._ahead[key] = self._pool.submit(self.processor.process, following)

    def __call__(self, block: Any) -> None:
        if not self._reserved:  # daisy created its tracking files: back them (see RunDir)
            self.processor.run_dir.reserve_tracking(self.processor.level.task_id)
            self._reserved = True
        roi = block.write_roi
        with self._lock:
            ahead = self._ahead.pop(_key(roi), None)
        self._start_after(roi)
        for attempt in range(self.retries + 1):
            try:
                if attempt == 0 and ahead is not None:
                    ahead.result()
                else:
                    self.processor.process(roi)
                break
            except Exception:
                if attempt == self.retries:
                    raise
        self.written += 1
        self._report()

    def _report(self) -> None:
        """Tell the progress bar (daisy's serial runner draws none); skipped blocks show at
        the end, when daisy's own counts replace these."""
        if self.observer is None:
            return
        total = self.processor.level.num_blocks
        counts = Counts(total_block_count=total, completed_count=self.written)
        report = self.observer.on_progress if self.written > 1 else self.observer.on_start
        report({self.processor.level.task_id: counts})

    def close(self) -> None:
        """Stop working ahead (blocks daisy skipped, or a write that failed)."""
        if self._pool is not None:
            for future in self._ahead.values():
                future.cancel()
            self._pool.shutdown(wait=True)
            self._ahead.clear()


def compute_ahead(
    processor: BlockProcessor, *, workers: int, retries: int, resumed: bool, observer: Any
) -> ComputeAhead:
    """The block function for ``processor``'s level; nothing is processed ahead on a resumed
    level (the blocks ahead may be done already)."""
    processor.open()
    order = [] if resumed else daisy_order(processor.level)
    depth = 0 if resumed else workers
    return ComputeAhead(processor, order, depth=depth, retries=retries, observer=observer)
