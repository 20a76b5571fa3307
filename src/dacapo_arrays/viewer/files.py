"""Stored pyramids as neuroglancer sources: the container's keys over a local HTTP server.

``neuroglancer.LocalVolume`` (the generic path) serves one resolution: zoomed out, it
would read every voxel of ``s0``. A stored multiscale group (OME-NGFF ``multiscales``, or
N5 ``scales``) is instead served as files, and neuroglancer's own zarr / N5 data source
reads its metadata and picks the level that matches the zoom.

The server reads every key through the container's tensorstore kvstore, so a local folder,
an ``s3://`` bucket (with the credentials and endpoint tensorstore finds) and an
``http(s)://`` server that sends no CORS headers are served alike. It answers only GET and
HEAD, single byte ranges included (sharded zarr v3 reads the index at a shard's end), with
CORS headers for the viewer's page, and keeps the paths it served (the tests check which
level a view read).
"""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dacapo.experiments.datasplits.datasets.arrays._storage.kvstore import Container

#: Neuroglancer's data source scheme for each stored format.
SCHEMES = {"zarr2": "zarr2", "zarr3": "zarr3", "n5": "n5"}
#: One byte range: ``bytes=A-B``, ``bytes=A-`` or ``bytes=-N`` (the last N bytes).
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class _Handler(BaseHTTPRequestHandler):
    container: Container
    served: list[str]

    def do_GET(self) -> None:
        self.served.append(self.path)
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        key = unquote(urlsplit(self.path).path).strip("/")
        if not key or ".." in key.split("/"):
            self._status(404)
            return
        try:
            found = self.container.kvstore.read(key).result()
        except ValueError as err:  # the store failed (not a missing key)
            self._status(502, str(err).encode())
            return
        if found.state == "missing":
            self._status(404)
            return
        value, status, extra = bytes(found.value), 200, {}
        wanted = RANGE.match(self.headers.get("Range", "").strip())
        if wanted and (wanted.group(1) or wanted.group(2)):
            begin, end = _byte_range(wanted.group(1), wanted.group(2), len(value))
            if begin >= end:
                self._status(416, headers={"Content-Range": f"bytes */{len(value)}"})
                return
            extra = {"Content-Range": f"bytes {begin}-{end - 1}/{len(value)}"}
            value, status = value[begin:end], 206
        self._status(status, value if body else None, headers=extra, length=len(value))

    def _status(
        self,
        code: int,
        value: bytes | None = None,
        *,
        headers: dict[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(code)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        for name, text in (headers or {}).items():
            self.send_header(name, text)
        size = length if length is not None else len(value or b"")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        if value:
            self.wfile.write(value)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the viewer's terminal is not a web server log."""


def _byte_range(first: str, last: str, size: int) -> tuple[int, int]:
    """``[begin, end)`` of a ``Range`` header's ``first-last`` within ``size`` bytes."""
    if not first:  # the last N bytes
        return max(size - int(last), 0), size
    return int(first), min(int(last) + 1 if last else size, size)


class FileServer:
    """Serves ``root`` (a container: a local path or a URL) read-only on ``bind``."""

    def __init__(self, root: str | Path, bind: str = "127.0.0.1") -> None:
        self.root = root
        self.served: list[str] = []
        container = Container(str(root))
        handler = type("Handler", (_Handler,), {"served": self.served, "container": container})
        self._server = ThreadingHTTPServer((bind, 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, key: str = "") -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/{key.strip('/')}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


_SERVERS: dict[str, FileServer] = {}


def _key(container: str | Path) -> str:
    text = str(container).rstrip("/")
    return text if len(urlsplit(text).scheme) > 1 else str(Path(text).absolute())


def serve_container(container: str | Path, bind: str = "127.0.0.1") -> FileServer:
    """The file server of ``container`` (one per container and process)."""
    key = _key(container)
    if key not in _SERVERS:
        _SERVERS[key] = FileServer(key, bind)
    return _SERVERS[key]


def stop_all() -> None:
    while _SERVERS:
        _SERVERS.popitem()[1].stop()


def source_url(container: str | Path, group: str, fmt: str, bind: str = "127.0.0.1") -> str:
    """Neuroglancer's URL of the multiscale ``group`` of ``container`` in ``fmt``."""
    return f"{SCHEMES[fmt]}://{serve_container(container, bind).url(group)}"
