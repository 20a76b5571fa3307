"""The datasets a container holds, for error messages ("found: 'raw/s0', 'raw/s1'").

Listing must stay cheap even for containers with millions of chunks: local folders are walked
without entering arrays; cloud stores are listed with a time limit; HTTP cannot be listed.
"""

from __future__ import annotations

import json
import os

from dacapo.experiments.datasplits.datasets.arrays.errors import ArrayError

from .kvstore import Container

_SHOWN = 20


def _is_array_folder(folder: str, files: list[str]) -> bool:
    if ".zarray" in files:
        return True
    for name, flag in (("zarr.json", "node_type"), ("attributes.json", "dataType")):
        if name in files:
            try:
                with open(os.path.join(folder, name), "rb") as handle:
                    document = json.load(handle)
            except (OSError, ValueError):
                continue
            if isinstance(document, dict) and (
                document.get(flag) == "array" if flag == "node_type" else flag in document
            ):
                return True
    return False


def _walk_local(root: str) -> list[str]:
    found = []
    for folder, dirs, files in os.walk(root):
        if _is_array_folder(folder, files):
            found.append(os.path.relpath(folder, root).replace(os.sep, "/"))
            dirs[:] = []  # never walk the chunks of an array
        else:
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
    return sorted(p for p in found if p != ".")


def _list_remote(container: Container, seconds: float) -> list[str] | None:
    try:
        keys = [k.decode() for k in container.kvstore.list().result(timeout=seconds)]
    except (TimeoutError, ValueError):
        return None
    arrays = {k.rsplit("/", 1)[0] for k in keys if k.endswith("/.zarray")}
    candidates = [k for k in keys if k.endswith(("/zarr.json", "/attributes.json"))][:500]
    try:
        documents = container.read_jsons(candidates)
    except ArrayError:  # an unreadable document: list what is certain
        documents = {}
    for key, document in documents.items():
        if document and (document.get("node_type") == "array" or "dataType" in document):
            arrays.add(key.rsplit("/", 1)[0])
    return sorted(arrays)


def list_arrays(container: Container, *, seconds: float = 5.0) -> list[str] | None:
    """Container paths of every array, or ``None`` when the store cannot be listed."""
    if container.is_local:
        return _walk_local(container.spec["path"])
    if container.spec["driver"] == "http":
        return None
    return _list_remote(container, seconds)


def describe(paths: list[str] | None, under: str = "") -> str:
    """``'raw/s0', 'raw/s1'`` (at most 20), ``none`` or why nothing could be listed."""
    if paths is None:
        return "the store cannot be listed"
    prefix = f"{under.strip('/')}/" if under.strip("/") else ""
    chosen = [p for p in paths if p.startswith(prefix)]
    if not chosen:
        return "no datasets"
    shown = ", ".join(repr(p) for p in chosen[:_SHOWN])
    more = f" and {len(chosen) - _SHOWN} more" if len(chosen) > _SHOWN else ""
    return shown + more
