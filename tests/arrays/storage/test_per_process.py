"""``PerProcess``: opened once per process, reopened after fork and unpickling, closed once."""

from __future__ import annotations

import gc
import os
import pickle
import threading
from typing import Any

import pytest

from dacapo.experiments.datasplits.datasets.arrays._storage.per_process import (
    PerProcess,
    without_handles,
)


class Resource:
    """Stands in for an open file: the process that opened it, and whether it is closed."""

    def __init__(self, log: list[Resource]) -> None:
        self.pid = os.getpid()
        self.closed = False
        log.append(self)

    def close(self) -> None:
        self.closed = True

    def __reduce__(self) -> Any:
        raise TypeError("an open resource must not be pickled")


OPENED: list[Resource] = []


def _open(owner: Owner) -> Resource:
    return Resource(OPENED)


class Owner:
    handle = PerProcess(_open, close=Resource.close)
    __getstate__ = without_handles

    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture(autouse=True)
def _clear() -> None:
    OPENED.clear()


def test_opens_on_first_use_once() -> None:
    owner = Owner("a")
    assert OPENED == []
    assert owner.handle is owner.handle
    assert len(OPENED) == 1
    assert Owner("b").handle is not owner.handle


def test_threads_racing_for_the_first_use_share_one_handle() -> None:
    owner = Owner("a")
    barrier = threading.Barrier(8)
    seen: list[Resource] = []

    def first_use() -> None:
        barrier.wait()
        seen.append(owner.handle)

    threads = [threading.Thread(target=first_use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(OPENED) == 1
    assert all(handle is OPENED[0] for handle in seen)


def test_pickles_without_the_handle_and_the_copy_opens_its_own() -> None:
    owner = Owner("a")
    first = owner.handle
    state = owner.__getstate__()
    assert state == {"name": "a"}
    again = pickle.loads(pickle.dumps(owner))  # Resource itself refuses to pickle
    assert again.name == "a"
    assert "handle" not in again.__dict__
    assert again.handle is not first
    assert len(OPENED) == 2
    assert owner.handle is first  # the original keeps its own


def test_close_closes_once_and_the_next_use_reopens() -> None:
    owner = Owner("a")
    Owner.handle.close(owner)  # never opened: nothing to close
    first = owner.handle
    Owner.handle.close(owner)
    assert first.closed
    Owner.handle.close(owner)
    second = owner.handle
    assert second is not first
    assert not second.closed


def test_the_handle_closes_when_its_owner_is_collected() -> None:
    owner = Owner("a")
    handle = owner.handle
    del owner
    gc.collect()
    assert handle.closed


def test_cannot_be_assigned() -> None:
    with pytest.raises(AttributeError, match="'handle' is opened on first use"):
        Owner("a").handle = Resource([])  # type: ignore[misc]


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded, use of fork")
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_opens_its_own_and_the_parent_keeps_its() -> None:
    owner = Owner("a")
    parent = owner.handle
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report, then leave without running pytest's exit hooks
        try:
            child = owner.handle
            facts = (child is parent, child.pid == os.getpid(), owner.handle is child)
            os.write(write, pickle.dumps(facts))
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        facts = pickle.loads(pipe.read())
    os.waitpid(pid, 0)
    assert facts == (False, True, True)
    assert owner.handle is parent
    assert not parent.closed
    assert len(OPENED) == 1  # the child's open happened in the child
