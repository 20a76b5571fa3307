"""Refuse a write whose output is (or holds, or lies inside) a dataset its config reads.

Checked before anything is created or deleted: with ``overwrite`` such a write would wipe its
own source, and without it the blocks would read what other blocks are writing. Paths are
compared after resolving them (relative paths, ``~``, symlinks, ``file://``, trailing
slashes); URLs are compared as written, without a trailing slash.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayError,
    ArrayIdentifier,
    StorageError,
)


class OutputIsSourceError(ArrayError, ValueError):
    """A write's output overlaps a dataset that its own config reads."""


class OutputPathError(ArrayError, NotADirectoryError):
    """A local output would have to be created below something that is not a folder."""


def check_output_place(target: ArrayIdentifier) -> None:
    """Raise :class:`OutputPathError` if a local output lies below an existing file."""
    text = str(target.container)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("", "file"):
        return
    path = os.path.abspath(os.path.expanduser(parts.path if parts.scheme else text))
    below = os.path.join(path, target.dataset.strip("/")) if target.dataset.strip("/") else path
    probe = below
    while probe and not os.path.lexists(probe):
        probe = os.path.dirname(probe)
    if probe and not os.path.isdir(probe):
        raise OutputPathError(
            f"cannot write into dataset {target.dataset!r} of {text!r}: {probe!r} is a file, "
            f"not a folder; choose an output path that does not go through a file"
        )


def _resolved(container: object, dataset: str = "") -> str:
    text = str(container)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("", "file"):
        base = text.rstrip("/")
    else:
        local = parts.path if parts.scheme else text
        base = os.path.realpath(os.path.expanduser(local))
    key = "/".join(p for p in dataset.split("/") if p and p != ".")
    joined = f"{base}/{key}" if key else base
    # a dataset key may itself go through a symlink inside a local container
    return os.path.realpath(joined) if not parts.scheme or parts.scheme == "file" else joined


def _stores(config: ArrayConfig, path: str = "$") -> Iterator[tuple[str, str, ArrayConfig]]:
    """``(config path, resolved store path, config)`` of every stored array in the tree."""
    file_name = getattr(config, "file_name", None)
    if file_name is not None:
        yield path, _resolved(file_name, str(getattr(config, "dataset", "") or "")), config
    for field, source in config.sources():
        yield from _stores(source, f"{path}.{field}")


def _overlap(a: str, b: str) -> bool:
    return a == b or a.startswith(b.rstrip("/") + "/") or b.startswith(a.rstrip("/") + "/")


def check_output_is_not_source(config: ArrayConfig, target: ArrayIdentifier) -> None:
    """Raise :class:`OutputIsSourceError` if ``target`` overlaps a store ``config`` reads
    (and :class:`OutputPathError` if a local output lies below a file)."""
    check_output_place(target)
    output = _resolved(target.container, target.dataset)
    for where, store, source in _stores(config):
        if _overlap(output, store):
            raise OutputIsSourceError(
                f"cannot write into dataset {target.dataset!r} of {str(target.container)!r}: "
                f"the config reads {store!r} ({where}, {type(source).__name__} "
                f"{source.name!r}), which is the same data or overlaps it, so the write would "
                f"destroy or corrupt its own source; write to another dataset or container"
            )


class OutputSpaceError(StorageError):
    """The output's file system is full (or a quota or file-size limit was reached)."""


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


@contextmanager
def space_errors(target: ArrayIdentifier, run_dir: object) -> Iterator[None]:
    """Turn "no space left" (from Python or tensorstore) into :class:`OutputSpaceError`."""
    try:
        yield
    except OSError as err:
        if isinstance(err, OutputSpaceError):
            raise
        full = err.errno in _FULL or "No space left" in str(err) or "quota" in str(err)
        if not full:
            raise
        raise OutputSpaceError(
            f"cannot write dataset {target.dataset!r} of {str(target.container)!r}: no space "
            f"left on its file system (or its quota is reached) while writing there or to the "
            f"run folder {str(run_dir)!r}: {err}; free space (df -h shows it) and run the "
            f"same write again: blocks already done are kept and skipped"
        ) from err


#: A write is refused at once when its file system has less than this free (plus a byte per
#: block for daisy's tracking): such a write could only fail part way.
MIN_FREE_BYTES = 16 * 2**20


def check_free_space(target: ArrayIdentifier, blocks: int) -> None:
    """Refuse a local write whose file system is (nearly) full, before anything is written."""
    text = str(target.container)
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("", "file"):
        return
    probe = os.path.abspath(os.path.expanduser(parts.path if parts.scheme else text))
    while probe and not os.path.isdir(probe):
        probe = os.path.dirname(probe)
    stats = os.statvfs(probe or "/")
    free = stats.f_bavail * stats.f_frsize
    if free < MIN_FREE_BYTES + blocks:
        raise OutputSpaceError(
            f"cannot write dataset {target.dataset!r} of {text!r}: only {free:,} bytes are "
            f"free on its file system ({probe!r}), less than the {MIN_FREE_BYTES + blocks:,} "
            f"a write needs to start; free space (df -h shows it) or write elsewhere"
        )
