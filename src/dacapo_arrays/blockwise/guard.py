"""Refuse a write whose output is (or holds, or lies inside) a dataset its config reads.

Checked before anything is created or deleted: with ``overwrite`` such a write would wipe its
own source, and without it the blocks would read what other blocks are writing. Paths are
compared after resolving them (relative paths, ``~``, symlinks, ``file://``, trailing
slashes); URLs are compared as written, without a trailing slash.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayError,
    ArrayIdentifier,
    StorageError,
)

from .results import BlockwiseWriteError, WriteResult


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


class OutputFilledError(OutputSpaceError):
    """The output's file system filled up during a write; the blocks done are kept.

    ``result`` is the write's :class:`~.results.WriteResult` when blocks failed for it."""

    def __init__(self, message: str, result: WriteResult | None = None) -> None:
        super().__init__(message)
        self.result = result


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
#: The same, as text: in a failed block's error (from a worker) or tensorstore's message.
_FULL_TEXT = re.compile(
    r"No space left on device|Disk quota exceeded|File too large|os_error_code='(?:28|122|27)'"
)


def no_space(err: BaseException) -> bool:
    """Whether ``err`` (or what caused it) says the file system is full."""
    while err is not None:
        if isinstance(err, OSError) and err.errno in _FULL:
            return True
        if _FULL_TEXT.search(str(err)):
            return True
        err = err.__cause__  # type: ignore[assignment]
    return False


#: The prefix a worker's failed block puts before the error that failed it.
_BLOCK_PREFIX = re.compile(r"^.*?BlockFailedError: block \S.*? failed: ")


#: tserrors' own advice for a full disk, which the message here gives once, at its end.
_ADVICE = re.compile(r"; the file system is full: free space \(df -h shows it\) and try again")


def _filled(target: ArrayIdentifier, run_dir: object, err: BaseException) -> str:
    head = f"cannot write dataset {target.dataset!r} of {str(target.container)!r}: "
    tail = (
        f"free space (df -h shows it) and run the same write again: blocks already done are "
        f"kept and skipped (run folder {str(run_dir)!r})"
    )
    if isinstance(err, BlockwiseWriteError):
        full = [f for f in err.result.failures if _FULL_TEXT.search(f.error)]
        done = sum(level.written + level.skipped for level in err.result.levels)
        example = _ADVICE.sub("", _BLOCK_PREFIX.sub("", full[0].error))
        return (
            f"{head}its file system is full (no space left on device): {len(full)} block(s) "
            f"failed for lack of space ({done} done), e.g. {example}; {tail}"
        )
    return (
        f"{head}no space left on its file system (or its quota is reached) while writing "
        f"there or to the run folder: {_ADVICE.sub('', str(err))}; {tail}"
    )


@contextmanager
def space_errors(target: ArrayIdentifier, run_dir: object) -> Iterator[None]:
    """Turn "no space left" met during a write (from Python, tensorstore, a worker or a
    block) into :class:`OutputFilledError`."""
    try:
        yield
    except BlockwiseWriteError as err:
        if not any(_FULL_TEXT.search(f.error) for f in err.result.failures):
            raise
        raise OutputFilledError(_filled(target, run_dir, err), err.result) from err
    except Exception as err:  # OSError, a worker's or an in-process block's failure
        if isinstance(err, OutputSpaceError) or not no_space(err):
            raise
        raise OutputFilledError(_filled(target, run_dir, err)) from err


#: A write is refused at once when its file system has less than this free (plus daisy's
#: tracking, :data:`TRACKING_BYTES_PER_BLOCK`): such a write could only fail part way.
MIN_FREE_BYTES = 16 * 2**20
#: daisy's tracking per block: a done marker (1 byte) and a failure count (4 bytes).
TRACKING_BYTES_PER_BLOCK = 5


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
    needed = MIN_FREE_BYTES + TRACKING_BYTES_PER_BLOCK * blocks
    if free < needed:
        raise OutputSpaceError(
            f"cannot write dataset {target.dataset!r} of {text!r}: only {free:,} bytes are "
            f"free on its file system ({probe!r}), less than the {needed:,} a write needs "
            f"to start; free space (df -h shows it) or write elsewhere"
        )
