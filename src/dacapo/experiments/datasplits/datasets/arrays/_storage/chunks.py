"""A read that waits on something that is not a chunk file (a FIFO, a device) fails.

tensorstore opens a chunk file and waits for it: a FIFO or a character device in place of a
chunk blocks a read forever. A local read still waiting after :data:`FIRST_CHECK` seconds
looks for such files below its dataset (a listing, only then) and raises
:class:`StorageError` naming them; a read that is merely slow keeps waiting.
"""

from __future__ import annotations

import os
import stat
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import StorageError

from .deadline import after

FIRST_CHECK = 2.0


def special_files(folder: str, limit: int = 5) -> list[str]:
    """Paths below ``folder`` that are neither regular files nor folders (at most ``limit``)."""
    found: list[str] = []
    for here, _, files in os.walk(folder):
        for name in files:
            path = os.path.join(here, name)
            try:
                mode = os.lstat(path).st_mode
            except OSError:
                continue
            if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
                found.append(path)
                if len(found) >= limit:
                    return found
    return found


def not_a_chunk(what: str, path: str) -> StorageError:
    return StorageError(
        f"{what}: chunk {path!r} is not a regular file (a FIFO, socket or device), so "
        f"reading it would never end; remove it or restore the chunk from a copy"
    )


def wait_local(future: Any, folder: str | None, what: str) -> Any:
    """``future.result()``; for a local ``folder``, fail if the wait is on a special file."""
    if folder is None:
        return future.result()
    wait = FIRST_CHECK
    while True:
        try:
            return future.result(timeout=wait)
        except TimeoutError:
            found = special_files(folder)
            if found:
                future.cancel()
                raise not_a_chunk(what, found[0]) from None
            wait = min(wait * 2, 60.0)


def watch_local(future: Any, folder: str) -> list[str]:
    """For a read nobody waits on yet (``read_async``): after :data:`FIRST_CHECK` seconds
    (then doubling), look for special files below ``folder``; if one is found, cancel the
    read. The returned list then holds its path (for the read's error)."""
    found: list[str] = []
    wait = [FIRST_CHECK]

    def check(read: Any) -> float | None:
        paths = special_files(folder)
        if paths:
            found.append(paths[0])
            read.cancel()
            return None
        wait[0] = min(wait[0] * 2, 60.0)
        return wait[0]

    after(future, FIRST_CHECK, check)
    return found
