"""Paths and URLs to tensorstore kvstore specs, and JSON metadata read through them.

One route for local and cloud stores alike: ``Container(path).read_json(key)`` works on a
local folder, ``file://``, ``s3://`` (endpoint from ``AWS_ENDPOINT_URL``), ``gs://`` and
``http(s)://`` (read-only).
"""

from __future__ import annotations

import json
import os
from typing import Any
from urllib.parse import urlsplit

import tensorstore as ts
from upath import UPath


def kvstore_spec(path: UPath | str) -> dict[str, Any]:
    """The tensorstore kvstore spec of a container path or URL (a folder: ends with ``/``)."""
    text = str(path)
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if scheme in ("", "file") or (len(scheme) == 1 and os.name == "nt"):
        local = parts.path if scheme == "file" else text
        return {"driver": "file", "path": os.path.abspath(os.path.expanduser(local)) + "/"}
    key = parts.path.lstrip("/")
    if scheme == "s3":
        spec: dict[str, Any] = {"driver": "s3", "bucket": parts.netloc, "path": key}
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            spec["endpoint"] = endpoint
            spec["aws_region"] = os.environ.get("AWS_REGION", "us-east-1")
        return _folder(spec)
    if scheme in ("gs", "gcs"):
        return _folder({"driver": "gcs", "bucket": parts.netloc, "path": key})
    if scheme in ("http", "https"):
        return _folder(
            {"driver": "http", "base_url": f"{scheme}://{parts.netloc}", "path": parts.path}
        )
    raise ValueError(
        f"unsupported storage URL {text!r}; use a local path, file://, s3://, gs:// or https://"
    )


def _folder(spec: dict[str, Any]) -> dict[str, Any]:
    if spec["path"] and not spec["path"].endswith("/"):
        spec["path"] += "/"
    return spec


def join(spec: dict[str, Any], key: str) -> dict[str, Any]:
    """``spec`` narrowed to the sub-folder ``key`` (e.g. a dataset inside a container)."""
    joined = dict(spec)
    joined["path"] = spec["path"] + key.strip("/") + "/"
    return joined


class Container:
    """A zarr / N5 container: its kvstore and the JSON documents in it."""

    def __init__(self, path: UPath | str) -> None:
        self.path = path
        self.spec = kvstore_spec(path)
        self._kvstore: ts.KvStore | None = None

    @property
    def kvstore(self) -> ts.KvStore:
        if self._kvstore is None:
            self._kvstore = ts.KvStore.open(self.spec).result()
        return self._kvstore

    def __getstate__(self) -> dict[str, Any]:
        return {"path": self.path, "spec": self.spec, "_kvstore": None}

    def read_bytes(self, key: str) -> bytes | None:
        result = self.kvstore.read(key.lstrip("/")).result()
        return None if result.state == "missing" else bytes(result.value)

    def read_json(self, key: str) -> dict[str, Any] | None:
        raw = self.read_bytes(key)
        return None if raw is None else json.loads(raw)

    def write_json(self, key: str, document: dict[str, Any]) -> None:
        self.kvstore.write(key.lstrip("/"), json.dumps(document, indent=2).encode()).result()

    def exists(self) -> bool:
        """Whether anything is stored under the container's path."""
        if self.spec["driver"] == "file":
            return os.path.isdir(self.spec["path"])
        return bool(self.kvstore.list(ts.KvStore.KeyRange(), strip_prefix_length=0).result())

    def list_keys(self) -> list[str]:
        return sorted(k.decode() for k in self.kvstore.list().result())
