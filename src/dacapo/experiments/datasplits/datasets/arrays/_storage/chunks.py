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
                raise StorageError(
                    f"{what}: chunk {found[0]!r} is not a regular file (a FIFO, socket or "
                    f"device), so reading it would never end; remove it or restore the chunk "
                    f"from a copy"
                ) from None
            wait = min(wait * 2, 60.0)
