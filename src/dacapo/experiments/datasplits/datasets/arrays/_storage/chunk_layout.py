"""Chunk files laid out otherwise than the metadata says: an error, not a read of zeros.

A zarr v2 ``dimension_separator`` or a zarr v3 ``chunk_key_encoding`` that does not match
the files on disk makes every chunk "missing", so reads return the fill value. For a local
dataset a few entries of its folder are listed when it is opened (no chunk is read) and a
mismatch raises :class:`MetadataError` naming the file, the setting and what was found.
"""

from __future__ import annotations

import os
import re
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

_DOTTED = re.compile(r"^-?\d+(\.-?\d+)+$")
_NUMBER = re.compile(r"^-?\d+$")
LOOK_AT = 16


def _sample(folder: str) -> tuple[bool, bool, bool]:
    """(dotted chunk files, numbered folders, a ``c`` folder) among the first entries."""
    dotted = numbered = c_folder = False
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count >= LOOK_AT:
                    break
                is_dir = entry.is_dir()
                dotted |= not is_dir and bool(_DOTTED.match(entry.name))
                numbered |= is_dir and bool(_NUMBER.match(entry.name))
                c_folder |= is_dir and entry.name == "c"
    except OSError:
        pass
    return dotted, numbered, c_folder


def check_chunk_layout(fmt_name: str, document: dict[str, Any], folder: str | None) -> None:
    """Raise :class:`MetadataError` if the chunk keys on disk contradict ``document``."""
    if folder is None or fmt_name not in ("zarr2", "zarr3"):
        return
    dotted, numbered, c_folder = _sample(folder)
    if fmt_name == "zarr2":
        declared = document.get("dimension_separator") or "."
        setting, where = f"dimension_separator {declared!r}", ".zarray"
        wrong = (declared == "." and numbered and not dotted) or (declared == "/" and dotted)
        found = "nested folders (0/0/0)" if declared == "." else "dotted files (0.0.0)"
    else:
        encoding = document.get("chunk_key_encoding") or {}
        name = encoding.get("name", "default")
        setting, where = f"chunk_key_encoding {encoding or 'default'}", "zarr.json"
        wrong = (name == "default" and (dotted or numbered) and not c_folder) or (
            name == "v2" and c_folder
        )
        found = "chunk keys without the 'c/' prefix" if name == "default" else "a 'c' folder"
    if wrong:
        raise MetadataError(
            f"the chunks in {folder!r} do not match the {setting} in its {where}: found "
            f"{found}; reading would give only fill values. Fix the setting in {where} (or "
            f"rewrite the chunks) to match"
        )
