"""Paths and URLs to tensorstore kvstore specs, and the JSON documents read through them.

One route for local and cloud stores alike: ``Container(path).read_json(key)`` works on a
local folder, ``file://``, ``s3://`` (any S3-compatible server: the endpoint comes from
``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``, credentials from the standard AWS variables),
``gs://`` and ``http(s)://`` (read-only). Voxels go through the same kvstore specs (see
``formats.open_spec``), so metadata and chunks always come from the same place.
"""

from __future__ import annotations

import copy
import json
import os
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import tensorstore as ts

from dacapo.experiments.datasplits.datasets.arrays.errors import (
    MetadataError,
    ReadOnlyError,
    StorageError,
)

from . import deadline
from .per_process import PerProcess, without_handles
from .tserrors import translate

if TYPE_CHECKING:
    from upath import UPath

Document = dict[str, Any]

_CONTEXT: tuple[int, ts.Context] | None = None
_CONTEXT_LOCK = threading.Lock()

#: Options of the shared tensorstore context. Local writes are not fsync'ed chunk by chunk
#: (as with zarr-python, h5py or numpy): a finished write is in the OS's page cache, safe
#: from a crash of the process, not from one of the machine. It makes writes ~1.5x faster.
CONTEXT_SPEC: dict[str, Any] = {"file_io_sync": False, **deadline.context_spec()}
deadline.apply_curl_timeout()  # bounded remote requests: see ``deadline``


def shared_context() -> ts.Context:
    """One tensorstore context per process, so every array shares its I/O thread pools.

    tensorstore is not fork-safe: a forked child gets a fresh context on first use.
    """
    global _CONTEXT
    with _CONTEXT_LOCK:
        if _CONTEXT is None or _CONTEXT[0] != os.getpid():
            _CONTEXT = (os.getpid(), ts.Context(CONTEXT_SPEC))
        return _CONTEXT[1]


def kvstore_spec(path: UPath | str) -> dict[str, Any]:
    """The tensorstore kvstore spec of a container path or URL (a folder: ends with ``/``).

    >>> kvstore_spec("s3://bucket/data.zarr")["path"]
    'data.zarr/'
    >>> kvstore_spec("https://host.org/data/x.zarr")["base_url"]
    'https://host.org'
    """
    text = str(path)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("", "file"):
        local = parts.path if scheme == "file" else text
        return {"driver": "file", "path": os.path.abspath(os.path.expanduser(local)) + "/"}
    key = parts.path.lstrip("/")
    if scheme in ("s3", "s3a"):
        spec: dict[str, Any] = {"driver": "s3", "bucket": parts.netloc, "path": key}
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            spec["endpoint"] = endpoint
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region or endpoint:
            spec["aws_region"] = region or "us-east-1"
        return _folder(spec)
    if scheme in ("gs", "gcs"):
        return _folder({"driver": "gcs", "bucket": parts.netloc, "path": key})
    if scheme in ("http", "https"):
        return _folder(
            {"driver": "http", "base_url": f"{scheme}://{parts.netloc}", "path": parts.path}
        )
    raise StorageError(
        f"unsupported storage URL {text!r}: scheme {scheme!r} is not one of file, s3, gs, "
        f"http, https; use a local path or one of those URLs"
    )


def _folder(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["path"] and not spec["path"].endswith("/"):
        spec["path"] += "/"
    return spec


def join(spec: dict[str, Any], key: str) -> dict[str, Any]:
    """``spec`` narrowed to the sub-folder ``key`` (e.g. a dataset inside a container)."""
    joined = dict(spec)
    key = key.strip("/")
    joined["path"] = spec["path"] + (key + "/" if key else "")
    return joined


class Container:
    """A zarr / N5 container: its kvstore and the JSON documents in it."""

    def __init__(self, path: UPath | str) -> None:
        self.path = path
        self.url = str(path).rstrip("/")
        self.spec = kvstore_spec(path)

    __getstate__ = without_handles

    @property
    def is_local(self) -> bool:
        return bool(self.spec["driver"] == "file")

    @property
    def writable(self) -> bool:
        """Whether the store can be written at all (``http(s)://`` is read-only)."""
        return bool(self.spec["driver"] != "http")

    @PerProcess
    def kvstore(self) -> ts.KvStore:
        """The container's kvstore in this process (opened on first use)."""
        try:
            opening = ts.KvStore.open(self.spec, context=shared_context())
            opened: ts.KvStore = deadline.settle(opening, remote=not self.is_local)
            return opened
        except (ValueError, TimeoutError) as err:
            raise translate(err, f"cannot open container {self.url!r}") from err

    def where(self, key: str) -> str:
        """The full path or URL of ``key``, for messages."""
        return f"{self.url}/{key.strip('/')}" if key.strip("/") else self.url

    # -- reading --------------------------------------------------------------------------

    def read_jsons(self, keys: Iterable[str]) -> dict[str, Document | None]:
        """Read several JSON documents at once (one round trip on cloud stores)."""
        keys = list(keys)
        futures = [self.kvstore.read(k.lstrip("/")) for k in keys]
        found: dict[str, Document | None] = {}
        for key, future in zip(keys, futures, strict=True):  # read at once: one deadline
            try:
                result = deadline.settle(future, remote=not self.is_local)
            except (ValueError, TimeoutError) as err:
                raise translate(err, f"cannot read {self.where(key)!r}") from err
            found[key] = None if result.state == "missing" else self._parse(key, result.value)
        return found

    def read_json(self, key: str) -> Document | None:
        return self.read_jsons([key])[key]

    def _parse(self, key: str, raw: bytes) -> Document:
        try:
            document = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise MetadataError(
                f"metadata file {self.where(key)!r} is not valid JSON ({err}); repair it or "
                f"recreate the dataset"
            ) from err
        if not isinstance(document, dict):
            raise MetadataError(
                f"metadata file {self.where(key)!r} holds a JSON {type(document).__name__}, "
                f"not an object; repair it or recreate the dataset"
            )
        return document

    def exists(self) -> bool:
        """Whether anything is stored under the container's path."""
        if self.is_local:
            return os.path.isdir(self.spec["path"])
        roots = (".zgroup", ".zattrs", ".zarray", "zarr.json", "attributes.json")
        if any(doc is not None for doc in self.read_jsons(roots).values()):
            return True
        if self.spec["driver"] == "http":  # cannot list: a container needs a root document
            return False
        try:
            return bool(self.kvstore.list().result(timeout=10))
        except (ValueError, TimeoutError) as err:
            raise translate(err, f"cannot list container {self.url!r}") from err

    # -- writing --------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if not self.writable:
            raise ReadOnlyError(
                f"container {self.url!r} is served over HTTP, which is read-only; copy it to "
                f"a local path or a bucket to write"
            )

    def write_json(self, key: str, document: Document) -> None:
        self._check_writable()
        try:
            writing = self.kvstore.write(key.lstrip("/"), _encode(document))
            deadline.settle(writing, remote=not self.is_local)
        except (ValueError, TimeoutError) as err:
            raise translate(err, f"cannot write {self.where(key)!r}") from err

    def update_json(
        self, key: str, change: Callable[[Document | None], Document], attempts: int = 50
    ) -> Document:
        """Read-modify-write ``key`` atomically: ``change`` gets the current document (or
        ``None``) and returns the new one; retried when another writer got there first."""
        self._check_writable()
        key = key.lstrip("/")
        for _ in range(attempts):
            try:
                remote = not self.is_local
                result = deadline.settle(self.kvstore.read(key), remote=remote)
                current = None if result.state == "missing" else self._parse(key, result.value)
                new = change(copy.deepcopy(current))
                writing = self.kvstore.write(key, _encode(new), if_equal=result.stamp.generation)
                stamp = deadline.settle(writing, remote=remote)
            except (ValueError, TimeoutError) as err:
                raise translate(err, f"cannot update {self.where(key)!r}") from err
            if stamp.generation:  # an empty generation: the condition failed, try again
                return new
        raise StorageError(
            f"could not update {self.where(key)!r}: {attempts} concurrent writers got there "
            f"first; retry, or create datasets of one group from one process"
        )


def _encode(document: Document) -> bytes:
    return json.dumps(document, indent=2).encode()
