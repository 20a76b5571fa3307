"""Faults injected into blockwise workers, for tests of retries, kills and resumed writes.

The production worker calls an observer at two stages of every block, ``"computed"`` (before
the write) and ``"written"`` (before the block is released), only when one was installed in
its process: :func:`install` does that here, and a write started from a process with an
observer installed hands it to its worker processes. Nothing is read from the environment
to decide what code runs. Processes a test starts itself run :func:`main`
(``python -m dacapo_arrays.testing.faults write ...`` or ``... worker RUN_DIR``): it installs
the faults, then runs the real ``dacapo-arrays`` command.

What :class:`BlockFaults` does is read at each call from these environment variables, so a
test can change it while workers run:

* ``FAULT_LOG``: a file; one line ``stage:task:block pid`` per call;
* ``FAULT_SLEEP``: seconds to sleep after each ``computed``;
* ``FAULT_KILL`` / ``FAULT_RAISE_ONCE``: ``stage:task:block`` where the process kills itself
  (SIGKILL) or raises, once (a marker file in ``FAULT_MARKERS`` remembers it);
* ``FAULT_FILL``: a file; after the first block written, it grows until its file system is
  full (once).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import attrs
from funlib.geometry import Roi

from dacapo_arrays.blockwise.worker import BlockProcessor


def block_key(roi: Roi) -> str:
    """A block's name in the fault settings: its begin, ``-`` written ``m``."""
    return "_".join(str(int(b)).replace("-", "m") for b in roi.begin)


@attrs.frozen
class BlockFaults:
    """The observer :func:`install` puts in place (picklable: worker processes get it)."""

    def __call__(self, stage: str, task_id: str, roi: Roi) -> None:
        here = f"{stage}:{task_id}:{block_key(roi)}"
        log = os.environ.get("FAULT_LOG")
        if log:
            with open(log, "a") as f:
                f.write(f"{here} {os.getpid()}\n")
        if stage == "computed" and os.environ.get("FAULT_SLEEP"):
            time.sleep(float(os.environ["FAULT_SLEEP"]))
        marker = Path(os.environ.get("FAULT_MARKERS", "/nonexistent")) / here.replace(":", "-")
        if os.environ.get("FAULT_KILL") == here and not marker.exists():
            marker.touch()
            os.kill(os.getpid(), signal.SIGKILL)
        if os.environ.get("FAULT_RAISE_ONCE") == here and not marker.exists():
            marker.touch()
            raise RuntimeError("injected fault")
        filled = Path(os.environ.get("FAULT_MARKERS", "/nonexistent")) / "filled"
        if stage == "written" and os.environ.get("FAULT_FILL") and not filled.exists():
            filled.touch()  # fill the disk holding FAULT_FILL after the first block written
            _fill(os.environ["FAULT_FILL"])


def _fill(path: str) -> None:
    """Write zeros to ``path`` until its file system is full."""
    with open(path, "ab", buffering=0) as filler:
        size = 65536
        while size:
            try:
                filler.write(bytes(size))
            except OSError:
                size //= 16


def install() -> None:
    """Observe every block this process (and the workers it starts) processes from now on."""
    BlockProcessor.installed_observer = BlockFaults()


def uninstall() -> None:
    BlockProcessor.installed_observer = None


def main(args: list[str] | None = None) -> None:
    """``dacapo-arrays ARGS`` with the faults installed."""
    install()
    from dacapo_arrays.cli import main as cli

    cli(args if args is not None else sys.argv[1:], prog_name="dacapo-arrays")


if __name__ == "__main__":
    main()
