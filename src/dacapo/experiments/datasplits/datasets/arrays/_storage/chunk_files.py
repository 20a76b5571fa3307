"""Chunk files that would read as fill values: found at open, not read as zeros.

tensorstore reads a chunk key that is a folder as a missing chunk (the fill value), and an
N5 block smaller than the ``blockSize`` in ``attributes.json`` as that block padded with
zeros. For a local dataset a few chunk keys are looked at when it is opened (the first
entries of a few folders, and the 12-byte-or-so header of up to :data:`HEADERS` N5 blocks;
no chunk data is read): a folder where a chunk file belongs is a :class:`StorageError`, an N5
block whose header contradicts ``blockSize`` a :class:`MetadataError`, each naming the path.
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError, StorageError

#: Entries looked at per folder and chunk keys in all, and N5 block headers read, when a
#: dataset is opened (the first folders' first entries: a few directory reads).
LOOK_AT = 16
HEADERS = 4
_NUMBER = re.compile(r"^\d+$")


def _entries(folder: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as found:
            return [entry for _, entry in zip(range(LOOK_AT), found, strict=False)]
    except OSError:
        return []


def _nested(
    folder: str, depth: int, key: tuple[int, ...] = ()
) -> Iterator[tuple[os.DirEntry[str], tuple[int, ...]]]:
    """``(path, chunk index)`` of chunk keys ``i/j/k`` (``depth`` numbers) below ``folder``."""
    for entry in _entries(folder):
        if not _NUMBER.match(entry.name):
            continue
        index = (*key, int(entry.name))
        if len(index) == depth:
            yield entry, index
        elif entry.is_dir():
            yield from _nested(entry.path, depth, index)


def _flat(
    folder: str, depth: int, prefix: str, sep: str
) -> Iterator[tuple[os.DirEntry[str], tuple[int, ...]]]:
    """``(path, chunk index)`` of chunk keys ``[prefix sep] i sep j sep k`` in ``folder``."""
    pattern = re.compile(
        "^" + (re.escape(prefix + sep) if prefix else "") + sep.join([r"(\d+)"] * depth) + "$"
    )
    for entry in _entries(folder):
        match = pattern.match(entry.name)
        if match:
            yield entry, tuple(int(g) for g in match.groups())


def chunk_keys(
    fmt_name: str, document: dict[str, Any], folder: str
) -> Iterator[tuple[os.DirEntry[str], tuple[int, ...]]]:
    """A few chunk keys present below a local dataset ``folder``: ``(entry, chunk index)``."""
    depth = len(document.get("dimensions" if fmt_name == "n5" else "shape") or ())
    if depth == 0:
        return iter(())
    if fmt_name == "n5":
        return _nested(folder, depth)
    if fmt_name == "zarr2":
        sep = document.get("dimension_separator") or "."
        return _nested(folder, depth) if sep == "/" else _flat(folder, depth, "", sep)
    encoding = document.get("chunk_key_encoding") or {}
    name = encoding.get("name", "default")
    sep = (encoding.get("configuration") or {}).get("separator", "/" if name == "default" else ".")
    prefix = "c" if name == "default" else ""
    if sep == "/":
        return _nested(os.path.join(folder, prefix) if prefix else folder, depth)
    return _flat(folder, depth, prefix, sep)


def _n5_block_shape(path: str) -> tuple[int, ...] | None:
    """The block shape an N5 block file's header states (None for object blocks or junk)."""
    try:
        with open(path, "rb") as file:
            head = file.read(4)
            mode, ndim = struct.unpack(">HH", head) if len(head) == 4 else (2, 0)
            if mode > 1 or ndim == 0:
                return None
            dims = file.read(4 * ndim)
    except OSError:
        return None
    if len(dims) != 4 * ndim:
        return None
    return struct.unpack(f">{ndim}I", dims)


def _check_n5_block(
    path: str, index: tuple[int, ...], document: dict[str, Any], where: str
) -> None:
    block_size = [int(b) for b in document.get("blockSize") or ()]
    dimensions = [int(d) for d in document.get("dimensions") or ()]
    found = _n5_block_shape(path)
    if found is None or len(block_size) != len(index) or len(dimensions) != len(index):
        return
    # a block at the upper edge may be cut to the data (n5-java, zarr) or whole (tensorstore)
    cut = tuple(min(b, d - i * b) for b, d, i in zip(block_size, dimensions, index, strict=True))
    if found not in (cut, tuple(block_size)):
        raise MetadataError(
            f"N5 block {path!r} holds {'x'.join(map(str, found))} voxels, but the blockSize "
            f"{block_size} in {where} says {'x'.join(map(str, cut))}; reading would pad it "
            f"with zeros (or fail). Fix blockSize in {where} to the blocks' shape, or "
            f"rewrite the dataset"
        )


def check_chunk_files(fmt_name: str, document: dict[str, Any], folder: str | None) -> None:
    """Raise if a few chunk keys of the local dataset ``folder`` would read as fill values."""
    if folder is None or fmt_name not in ("zarr2", "zarr3", "n5"):
        return
    where = os.path.join(
        folder, {"zarr2": ".zarray", "zarr3": "zarr.json"}.get(fmt_name, "attributes.json")
    )
    headers = 0
    keys = chunk_keys(fmt_name, document, folder)
    for entry, index in (key for _, key in zip(range(LOOK_AT), keys, strict=False)):
        path = entry.path
        if entry.is_dir():
            raise StorageError(
                f"chunk {path!r} is a folder, not a chunk file, so it would read as fill "
                f"values; remove the folder (and restore the chunk from a copy), or fix "
                f"the dimensions in {where} if the dataset has more axes"
            )
        if not entry.is_file():  # a FIFO, socket or device: reading it would never end
            raise StorageError(
                f"chunk {path!r} is not a regular file (a FIFO, socket or device), so reading "
                f"it would never end; remove it or restore the chunk from a copy"
            )
        if fmt_name == "n5" and headers < HEADERS:
            headers += 1
            _check_n5_block(path, index, document, where)
