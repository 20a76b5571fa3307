"""``ThreadPool``: started when first needed, shut down by its owner or at exit, fork-safe."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from dacapo.experiments.datasplits.datasets.arrays._threads import ThreadPool


def _names() -> set[str]:
    return {thread.name for thread in threading.enumerate()}


def test_threads_start_on_first_use_and_stop_on_shutdown() -> None:
    pool = ThreadPool(2, "test-owned")
    assert not pool.started
    assert not any(name.startswith("test-owned") for name in _names())
    assert pool.submit(pow, 2, 10).result() == 1024
    assert pool.started
    assert any(name.startswith("test-owned") for name in _names())
    pool.shutdown()
    assert not pool.started
    assert not any(name.startswith("test-owned") for name in _names())
    assert pool.submit(pow, 3, 2).result() == 9  # a later use starts it again
    pool.shutdown()


def test_at_least_one_thread() -> None:
    with pytest.raises(ValueError, match=r"a thread pool needs at least 1 thread, got 0"):
        ThreadPool(0, "none")


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_starts_its_own_threads() -> None:
    pool = ThreadPool(2, "test-fork")
    first = pool.executor()
    assert pool.submit(abs, -1).result() == 1
    pid = os.fork()
    if pid == 0:  # the child: a hang here would time the test out
        ok = not pool.started and pool.submit(abs, -2).result() == 2
        ok = ok and pool.executor() is not first
        os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert pool.executor() is first  # the parent's is untouched
    pool.shutdown()


def test_the_interpreter_exits_with_a_started_pool() -> None:
    code = (
        "from dacapo.experiments.datasplits.datasets.arrays._reads import POOL\n"
        "import time\n"
        "POOL.submit(time.sleep, 0.05)\n"
        "print(POOL.started)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert done.stderr == ""
