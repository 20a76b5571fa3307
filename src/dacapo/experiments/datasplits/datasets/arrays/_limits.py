"""Size limits checked before anything is allocated: reads, dask graphs, writes.

An oversized allocation inside tensorstore or numpy does not raise a ``MemoryError`` one can
catch: it aborts the interpreter (``std::bad_alloc``). So every read is sized first, from its
shape and dtype, against :func:`max_read_bytes`, and refused with
:class:`RequestTooLargeError` (an ``ArrayError`` and a ``MemoryError``).

Settings (environment variables, read when first needed; :func:`set_limits` changes them in
a running process):

* ``DACAPO_ARRAYS_MAX_READ_BYTES``: the largest single read (default: a quarter of the
  machine's memory, at least 1 GiB).
* ``DACAPO_ARRAYS_MAX_BLOCKS``: the most chunks of a ``to_dask()`` graph or blocks of a
  blockwise write before it is refused unless forced (default 10,000,000).
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from typing import Any

from ._geometry import format_roi
from .errors import ArrayError

READ_SETTING = "DACAPO_ARRAYS_MAX_READ_BYTES"
BLOCKS_SETTING = "DACAPO_ARRAYS_MAX_BLOCKS"
DEFAULT_MAX_BLOCKS = 10_000_000


class RequestTooLargeError(ArrayError, MemoryError):
    """A request needs more memory (or more blocks) than the configured limit allows."""


def _memory() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not on Linux/macOS
        return 16 * 2**30


def _setting(name: str, default: int) -> int:
    text = os.environ.get(name)
    if text is None or not text.strip():
        return default
    try:
        value = int(float(text))
    except ValueError:
        value = 0
    if value <= 0:
        raise ValueError(
            f"environment variable {name}={text!r} is not a positive number; set it to a "
            f"byte or block count such as {default}, or unset it for the default"
        )
    return value


class _Limits:
    read_bytes: int | None = None
    blocks: int | None = None


_LIMITS = _Limits()


def max_read_bytes() -> int:
    """The largest read allowed, in bytes (``DACAPO_ARRAYS_MAX_READ_BYTES``)."""
    if _LIMITS.read_bytes is None:
        _LIMITS.read_bytes = _setting(READ_SETTING, max(2**30, _memory() // 4))
    return _LIMITS.read_bytes


def max_blocks() -> int:
    """The most chunks / blocks a dask graph or write may have (``DACAPO_ARRAYS_MAX_BLOCKS``)."""
    if _LIMITS.blocks is None:
        _LIMITS.blocks = _setting(BLOCKS_SETTING, DEFAULT_MAX_BLOCKS)
    return _LIMITS.blocks


def set_limits(*, read_bytes: int | None = None, blocks: int | None = None) -> None:
    """Change the limits of this process (``None``: back to the environment / default)."""
    _LIMITS.read_bytes = read_bytes
    _LIMITS.blocks = blocks


def format_bytes(count: float) -> str:
    """``1536`` -> ``'1.5 KiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def check_read(array: Any, roi: Any, shape: Sequence[int], dtype: Any) -> None:
    """Refuse a read of ``shape`` voxels of ``dtype`` above :func:`max_read_bytes`.

    ``array`` and ``roi`` only name the request in the message.
    """
    count = dtype.itemsize
    for size in shape:
        count *= size
    limit = _LIMITS.read_bytes or max_read_bytes()
    if count > limit:
        label = array._label() if hasattr(array, "_label") else repr(array)
        raise RequestTooLargeError(
            f"reading ROI {format_roi(roi)} of {label} needs {format_bytes(count)} "
            f"({' x '.join(map(str, shape))} voxels of {dtype}), more than the limit of "
            f"{format_bytes(limit)} for one read; read it in smaller pieces (array.to_dask() "
            f"or the blockwise writer), or raise the limit with the environment variable "
            f"{READ_SETTING} (bytes)"
        )


def check_index_read(name: str, box: Sequence[slice], dtype: Any) -> None:
    """Refuse a read of the index ``box`` (step-1 slices) of ``name`` above the read limit.

    The counterpart of :func:`check_read` for views indexed in voxels (``array.data``).
    """
    shape = [max(0, s.stop - s.start) for s in box]
    count = dtype.itemsize * math.prod(shape)
    limit = _LIMITS.read_bytes or max_read_bytes()
    if count > limit:
        where = ", ".join(f"{s.start}:{s.stop}" for s in box)
        raise RequestTooLargeError(
            f"reading [{where}] of {name} needs {format_bytes(count)} "
            f"({' x '.join(map(str, shape))} voxels of {dtype}), more than the limit of "
            f"{format_bytes(limit)} for one read; index a smaller region, or raise the limit "
            f"with the environment variable {READ_SETTING} (bytes)"
        )


def check_blocks(what: str, count: int, *, force: bool) -> None:
    """Refuse to plan ``count`` chunks or blocks above :func:`max_blocks` unless ``force``."""
    limit = max_blocks()
    if count > limit and not force:
        raise RequestTooLargeError(
            f"{what} would be {count:,} blocks, more than the limit of {limit:,}; use a "
            f"smaller ROI or larger blocks, pass force=True, or raise the limit with the "
            f"environment variable {BLOCKS_SETTING}"
        )


def grid_count(shape: Sequence[int], chunks: Sequence[int]) -> int:
    """Number of ``chunks``-sized pieces covering ``shape`` (ceiling per axis)."""
    return math.prod(-(-int(s) // max(int(c), 1)) for s, c in zip(shape, chunks, strict=True))
