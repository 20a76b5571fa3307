"""``ThreadPool``: a pool of threads that belongs to one process and knows when it ends.

The model computes in a few shared pools (reads in flight, binarize's two halves). Each is an
object held by the module that uses it: it starts its threads on first use, shuts them down
when the interpreter exits or when its owner calls :meth:`ThreadPool.shutdown`, and starts
afresh in a forked child (whose copy of the parent's threads does not exist) or after a
shutdown. A process started with ``spawn`` imports the module and gets its own, unstarted.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


class ThreadPool:
    """Up to ``threads`` threads named ``name-N``, started when first needed.

    >>> pool = ThreadPool(2, "example")
    >>> pool.started
    False
    >>> pool.submit(sum, [1, 2, 3]).result()
    6
    >>> pool.started
    True
    >>> pool.shutdown()
    >>> pool.started
    False
    """

    def __init__(self, threads: int, name: str) -> None:
        if threads < 1:
            raise ValueError(f"a thread pool needs at least 1 thread, got {threads}")
        self.threads = threads
        self.name = name
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid = os.getpid()
        atexit.register(_shutdown_at_exit, weakref.ref(self))

    @property
    def started(self) -> bool:
        """Whether this process has started the threads (and not shut them down)."""
        return self._executor is not None and self._pid == os.getpid()

    def executor(self) -> ThreadPoolExecutor:
        """This process's executor, started now if it is not running."""
        if self._pid != os.getpid():
            # A forked child: the parent's threads (and a lock one of them may have held)
            # were not copied, so nothing of theirs is used or shut down here.
            self._lock, self._executor, self._pid = threading.Lock(), None, os.getpid()
        executor = self._executor
        if executor is None:
            with self._lock:
                if self._executor is None:
                    self._executor = ThreadPoolExecutor(self.threads, thread_name_prefix=self.name)
                executor = self._executor
        return executor

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """``function(*args)`` on one of the threads."""
        return self.executor().submit(function, *args)

    def shutdown(self, wait: bool = True) -> None:
        """Stop the threads (after the work already submitted); the next use starts new ones."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None and self._pid == os.getpid():
            executor.shutdown(wait=wait)


def _shutdown_at_exit(pool: weakref.ref[ThreadPool]) -> None:
    owner = pool()
    if owner is not None:
        owner.shutdown(wait=False)


__all__ = ["ThreadPool"]
