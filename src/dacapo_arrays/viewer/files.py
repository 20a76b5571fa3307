"""Stored pyramids as neuroglancer sources: the container's files over a local HTTP server.

``neuroglancer.LocalVolume`` (the generic path) serves one resolution: zoomed out, it
would read every voxel of ``s0``. A stored multiscale group (OME-NGFF ``multiscales``, or
N5 ``scales``) is instead served as files, and neuroglancer's own zarr / N5 data source
reads its metadata and picks the level that matches the zoom. The server answers only GET
and HEAD below the folders it was given, with CORS headers for the viewer's page, and keeps
the paths it served (the tests check which level a view read).
"""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

#: Neuroglancer's data source scheme for each stored format.
SCHEMES = {"zarr2": "zarr2", "zarr3": "zarr3", "n5": "n5"}


class _Handler(SimpleHTTPRequestHandler):
    served: list[str]

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        super().end_headers()

    def do_GET(self) -> None:
        self.served.append(self.path)
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the viewer's terminal is not a web server log."""


class FileServer:
    """Serves ``root`` (a local container) read-only on ``bind``; ``url(key)`` for a key."""

    def __init__(self, root: str | Path, bind: str = "127.0.0.1") -> None:
        self.root = Path(root)
        self.served: list[str] = []
        handler = type("Handler", (_Handler,), {"served": self.served})
        self._server = ThreadingHTTPServer((bind, 0), partial(handler, directory=str(self.root)))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, key: str = "") -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/{key.strip('/')}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


_SERVERS: dict[Path, FileServer] = {}


def serve_container(container: str | Path, bind: str = "127.0.0.1") -> FileServer:
    """The file server of ``container`` (one per container and process)."""
    root = Path(container).absolute()
    if root not in _SERVERS:
        _SERVERS[root] = FileServer(root, bind)
    return _SERVERS[root]


def stop_all() -> None:
    while _SERVERS:
        _SERVERS.popitem()[1].stop()


def source_url(container: str | Path, group: str, fmt: str, bind: str = "127.0.0.1") -> str:
    """Neuroglancer's URL of the multiscale ``group`` of a local container in ``fmt``."""
    return f"{SCHEMES[fmt]}://{serve_container(container, bind).url(group)}"
