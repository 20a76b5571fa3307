"""Reads in flight: many ROIs read at once, for every kind.

``array.read_async(roi)`` returns a :class:`concurrent.futures.Future` of the voxels at once;
``array.read_many(rois)`` keeps a bounded number of those in flight and yields the results in
the order of ``rois``. How a read is carried out is the kind's ``_read_async``:

* stored kinds backed by tensorstore hand the read to tensorstore and return without waiting
  (its future is bridged with :func:`from_tensorstore`);
* virtual kinds ask their sources with ``read_async`` and compute when those reads complete
  (:func:`then`): the computation runs on a small per-process pool of threads, never on
  tensorstore's own threads;
* every other kind (``Array._read_async``'s default) runs its blocking ``_read`` on that pool.

Errors belong to their read: a failed read's future raises what ``array[roi]`` would have
raised, and ``read_many`` raises it (or, with ``return_exceptions=True``, yields it) at that
read's position. Nothing here holds the GIL while waiting; the pool is a
:class:`._threads.ThreadPool`, started afresh in a forked child (a thread pool does not survive
``fork``) and shut down at exit.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from ._threads import ThreadPool

if TYPE_CHECKING:
    import tensorstore as ts
    from funlib.geometry import Roi

    from .array import Array

T = TypeVar("T")

#: Threads that compute virtual reads and run blocking reads (one pool per process).
POOL_THREADS = max(4, 2 * (os.cpu_count() or 1))
#: Default number of reads ``read_many`` keeps in flight.
IN_FLIGHT = 64

#: This process's threads for computations and blocking reads (started on first use).
POOL = ThreadPool(POOL_THREADS, "dacapo-reads")


def pool() -> ThreadPoolExecutor:
    """This process's executor for computations and blocking reads (started on first use)."""
    return POOL.executor()


def submit(function: Callable[..., T], *args: Any) -> Future[T]:
    """``function(*args)`` on the pool."""
    return pool().submit(function, *args)


def done(value: T) -> Future[T]:
    """A future that already holds ``value``."""
    future: Future[T] = Future()
    future.set_result(value)
    return future


def _settle(target: Future[T], function: Callable[..., T], *args: Any) -> None:
    """Set ``target`` to ``function(*args)`` or to the error it raises."""
    if not target.set_running_or_notify_cancel():
        return
    try:
        target.set_result(function(*args))
    except BaseException as err:
        target.set_exception(err)


def then(future: Future[Any], function: Callable[..., T], *args: Any) -> Future[T]:
    """``function(result, *args)`` on the pool once ``future`` is done; errors pass through."""
    out: Future[T] = Future()

    def start(finished: Future[Any]) -> None:
        error = finished.exception()
        if error is not None:
            if out.set_running_or_notify_cancel():
                out.set_exception(error)
            return
        pool().submit(_settle, out, function, finished.result(), *args)

    future.add_done_callback(start)
    return out


def gather(futures: Iterable[Future[Any]]) -> Future[list[Any]]:
    """One future of all results, in order; it fails with the first error (in order)."""
    futures = list(futures)
    out: Future[list[Any]] = Future()
    if not futures:
        out.set_result([])
        return out
    remaining = [len(futures)]
    lock = threading.Lock()

    def one_done(_: Future[Any]) -> None:
        with lock:
            remaining[0] -= 1
            if remaining[0]:
                return
        if not out.set_running_or_notify_cancel():
            return
        for future in futures:
            if future.exception() is not None:
                out.set_exception(future.exception())
                return
        out.set_result([future.result() for future in futures])

    for future in futures:
        future.add_done_callback(one_done)
    return out


def from_tensorstore(
    read: ts.Future[Any], on_error: Callable[[BaseException], BaseException]
) -> Future[np.ndarray]:
    """A :class:`concurrent.futures.Future` of a tensorstore read, its error translated."""
    out: Future[np.ndarray] = Future()
    out.set_running_or_notify_cancel()

    def finished(result: ts.Future[Any]) -> None:
        try:
            out.set_result(result.result())
        except BaseException as err:
            translated = on_error(err)
            if translated is not err:
                translated.__cause__ = err
            out.set_exception(translated)

    read.add_done_callback(finished)
    return out


_shared: ContextVar[dict[Hashable, Future[Any]] | None] = ContextVar("shared", default=None)


@contextmanager
def shared_reads() -> Iterator[None]:
    """Within this block (in this thread), stored reads of the same dataset and ROI are issued
    once and their future shared: e.g. a binarized target and a mask computed from the same
    labels read those labels once per sample. Results are then shared between consumers, so
    a kind must never modify its source's values in place."""
    token = _shared.set({})
    try:
        yield
    finally:
        _shared.reset(token)


def shared(key: Hashable, start: Callable[[], Future[T]]) -> Future[T]:
    """``start()``, or the future it gave for ``key`` earlier in a ``shared_reads`` block."""
    table = _shared.get()
    if table is None:
        return start()
    future = table.get(key)
    if future is None:
        future = table[key] = start()
    return future


def derive(future: Future[Any], function: Callable[[Any], T]) -> Future[T]:
    """``then(future, function)``; in a ``shared_reads`` block, once per ``future`` and
    ``function``: e.g. the narrow copy of labels that a binarized target and a mask of the same
    shared read both compute on. ``function`` must not modify its argument."""
    return shared(("derive", future, function), lambda: then(future, function))


def read_async(array: Array, roi: Roi) -> Future[np.ndarray]:
    """``array[roi]`` as a future: the request is checked now (errors raise at once), the
    voxels arrive later. See :meth:`Array.read_async`."""
    return array._read_async(array._checked_request(roi))


def _start(array: Array, roi: Roi) -> Future[np.ndarray]:
    """``read_async``, with an invalid request as a failed future (kept at its position)."""
    try:
        return read_async(array, roi)
    except Exception as err:
        failed: Future[np.ndarray] = Future()
        failed.set_exception(err)
        return failed


def read_many(
    array: Array,
    rois: Iterable[Roi],
    *,
    in_flight: int = IN_FLIGHT,
    return_exceptions: bool = False,
) -> Iterator[np.ndarray | BaseException]:
    """``array[roi]`` for every ``roi``, in order, with at most ``in_flight`` reads in flight.

    A failed read raises at its position (the reads after it that are already in flight are
    left to finish and dropped), or is yielded as the exception with
    ``return_exceptions=True``. Memory holds at most ``in_flight`` results not yet consumed.
    """
    if in_flight < 1:
        raise ValueError(f"in_flight must be at least 1, got {in_flight}; use e.g. 64")
    pending: deque[Future[np.ndarray]] = deque()
    requests = iter(rois)
    for roi in requests:
        pending.append(_start(array, roi))
        if len(pending) >= in_flight:
            break
    while pending:
        future = pending.popleft()
        error = future.exception()  # waits; then the next read takes this one's place
        for roi in requests:
            pending.append(_start(array, roi))
            break
        if error is None:
            yield future.result()
        elif return_exceptions:
            yield error
        else:
            raise error
