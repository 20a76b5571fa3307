"""The run folder next to the output: the plan, daisy's block tracking, errors, worker logs.

Layout of ``<container>.blocks/<dataset>/``::

    run.json           the plan, its fingerprint and the run's status
    server.json        where the current level's daisy server listens (for joining workers)
    tracking/s<k>/     daisy's done markers and failure counts, one byte per block
    errors/s<k>/       one file per failed block attempt: its ROI and the error
    logs/              daisy's per-worker stdout/stderr

Every file is replaced atomically (write a temporary file, then rename), so a write killed
at any moment leaves either the old or the new content.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, format_roi

RUN_FILE = "run.json"
SERVER_FILE = "server.json"


def default_run_dir(target: ArrayIdentifier) -> Path:
    """``<container>.blocks/<dataset>`` beside a local container; in the working directory
    for a container given by URL (block tracking needs a local file system)."""
    text = str(target.container).rstrip("/")
    parts = urlsplit(text)
    dataset = target.dataset.strip("/")
    if parts.scheme in ("", "file") or len(parts.scheme) == 1:
        local = Path(parts.path if parts.scheme == "file" else text).expanduser().absolute()
        return local.parent / f"{local.name}.blocks" / dataset
    return Path.cwd() / f"{Path(parts.path).name or parts.netloc}.blocks" / dataset


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _fallocate() -> Any:
    """libc's ``fallocate`` (Linux), or None. Not ``os.posix_fallocate``: where the file system
    cannot allocate, glibc emulates it by writing zeros, which could erase a done marker
    daisy writes at the same moment."""
    try:
        function = ctypes.CDLL(None, use_errno=True).fallocate
    except (AttributeError, OSError):
        return None
    function.argtypes = (ctypes.c_int, ctypes.c_int, ctypes.c_int64, ctypes.c_int64)
    function.restype = ctypes.c_int
    return function


_FALLOCATE = _fallocate()
_CANNOT_ALLOCATE = (errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL)


def _allocate(path: Path) -> None:
    """Back every byte of the file ``path`` with disk space (its size and content unchanged)."""
    if _FALLOCATE is None:
        return
    fd = os.open(path, os.O_RDWR)
    try:
        size = os.fstat(fd).st_size
        if size and _FALLOCATE(fd, 0, 0, size) != 0:
            code = ctypes.get_errno()
            if code not in _CANNOT_ALLOCATE:
                raise OSError(
                    code, f"cannot allocate {size:,} bytes: {os.strerror(code)}", str(path)
                )
    finally:
        os.close(fd)


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def roi_key(roi: Roi) -> str:
    """A file name for a block: its begin per axis (``m`` for minus)."""
    return "_".join(str(int(b)).replace("-", "m") for b in roi.begin)


class RunDir:
    """The run folder of one output (see the module docstring for its layout)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).absolute()

    def __repr__(self) -> str:
        return f"RunDir({str(self.path)!r})"

    # -- run.json ---------------------------------------------------------------------------

    def read_record(self) -> dict[str, Any] | None:
        return _read_json(self.path / RUN_FILE)

    def write_record(self, record: dict[str, Any]) -> None:
        _write_atomic(self.path / RUN_FILE, json.dumps(record, indent=2) + "\n")

    def update_record(self, **changes: Any) -> None:
        record = self.read_record() or {}
        self.write_record({**record, **changes})

    def reset(self) -> None:
        """Forget every block: done markers, errors, logs, the server address."""
        for name in ("tracking", "errors", "logs", SERVER_FILE):
            target = self.path / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()

    # -- daisy ------------------------------------------------------------------------------

    def tracking(self, task_id: str) -> Path:
        return self.path / "tracking" / task_id

    def reserve_tracking(self, task_id: str) -> None:
        """Allocate the disk space of ``task_id``'s done markers and failure counts now.

        daisy creates them as sparse files and maps them into memory; a page first touched
        when the disk is full cannot be backed, and the process dies of SIGBUS. Called once
        daisy created them (in each worker, before it takes a block), a full disk is an
        ``OSError`` (ENOSPC) here instead. Only real allocation is used (``fallocate``, which
        changes no byte); where the file system has none, nothing is done.
        """
        tracking = self.tracking(task_id)
        for path in sorted(tracking.rglob("*")) if tracking.is_dir() else ():
            if path.is_file() and not path.is_symlink():
                _allocate(path)

    @property
    def logs(self) -> Path:
        return self.path / "logs"

    def publish_server(self, server: dict[str, Any]) -> None:
        _write_atomic(self.path / SERVER_FILE, json.dumps(server, indent=2) + "\n")

    def read_server(self) -> dict[str, Any] | None:
        return _read_json(self.path / SERVER_FILE)

    # -- errors -----------------------------------------------------------------------------

    def _errors(self, task_id: str) -> Path:
        return self.path / "errors" / task_id

    def clear_errors(self, task_id: str) -> None:
        shutil.rmtree(self._errors(task_id), ignore_errors=True)

    def record_error(self, task_id: str, roi: Roi, message: str) -> None:
        """Keep the last error of a block; best effort (a remote worker may not see us)."""
        text = json.dumps({"roi": format_roi(roi), "error": message})
        with contextlib.suppress(OSError):
            _write_atomic(self._errors(task_id) / f"{roi_key(roi)}.json", text)

    def read_error(self, task_id: str, roi: Roi) -> str | None:
        found = _read_json(self._errors(task_id) / f"{roi_key(roi)}.json")
        return None if found is None else str(found["error"])
