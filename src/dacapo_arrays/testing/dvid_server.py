"""A DVID look-alike on 127.0.0.1: numpy volumes served through DVID's HTTP API.

It answers the endpoints DVIDArray uses, with DVID's documented payloads:

* ``GET /api/node/<uuid>/<name>/info``: ``{"Base": {..., "TypeName"}, "Extended": {"Values",
  "BlockSize", "VoxelSize", "VoxelUnits", "MinPoint", "MaxPoint", ...}}`` plus a top-level
  ``"Extents"`` for image-block instances;
* ``GET /api/node/<uuid>/<name>/raw/0_1_2/<sx>_<sy>_<sz>/<ox>_<oy>_<oz>[?compression=gzip]``:
  packed little-endian voxels, z, y, x order (x fastest); voxels outside the stored volume
  read as 0, as in DVID; sizes that are not positive, or over ``max_bytes``, get a 400;
* ``GET /api/repo/<uuid>/info``: ``{"Root", "Alias", "DataInstances": {name: info}}``.

An unknown node gets a 400 (as DVID sends), an unknown instance ``missing_status`` (400 in
DVID, 404 behind some proxies). ``drop_next = n`` closes the next ``n`` connections without
answering; ``mangle`` rewrites voxel payloads. ``connections`` counts TCP connections,
``requests`` the paths asked for.
"""

from __future__ import annotations

import atexit
import gzip
import json
import re
import threading
import uuid as uuids
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import attrs
import numpy as np

LABEL_TYPES = ("labelmap", "labelblk")
_RAW = re.compile(r"^raw/0_1_2/(-?\d+)_(-?\d+)_(-?\d+)/(-?\d+)_(-?\d+)_(-?\d+)$")


@attrs.define
class Instance:
    """One data instance: a z, y, x volume whose first voxel sits at ``min_point`` (x, y, z)."""

    volume: np.ndarray
    type_name: str
    voxel_size: tuple[float, float, float]  # x, y, z
    min_point: tuple[int, int, int]  # x, y, z
    units: str = "nanometers"

    def info(self, name: str, node: str) -> dict[str, Any]:
        max_point = [
            m + s - 1 for m, s in zip(self.min_point, self.volume.shape[::-1], strict=True)
        ]
        dtype = "uint64" if self.type_name in LABEL_TYPES else self.volume.dtype.name
        block = 64 if self.type_name in LABEL_TYPES else 32
        extended = {
            "Values": [{"DataType": dtype, "Label": self.type_name}],
            "Interpolable": self.type_name not in LABEL_TYPES,
            "BlockSize": [block] * 3,
            "VoxelSize": list(self.voxel_size),
            "VoxelUnits": [self.units] * 3,
            "MinPoint": list(self.min_point),
            "MaxPoint": max_point,
            "MinIndex": [m // block for m in self.min_point],
            "MaxIndex": [m // block for m in max_point],
            "Background": 0,
        }
        document: dict[str, Any] = {
            "Base": {
                "TypeName": self.type_name,
                "TypeURL": f"github.com/janelia-flyem/dvid/datatype/{self.type_name}",
                "TypeVersion": "0.1",
                "Name": name,
                "RepoUUID": node,
                "Compression": "LZ4 compression, level -1",
                "Checksum": "No checksum",
                "Syncs": [],
                "Versioned": True,
                "Tags": {},
            },
            "Extended": extended,
        }
        if self.type_name not in LABEL_TYPES:
            document["Extents"] = {"MinPoint": extended["MinPoint"], "MaxPoint": max_point}
        return document

    def box(self, size: tuple[int, ...], offset: tuple[int, ...]) -> np.ndarray:
        """The z, y, x box of ``size`` at ``offset`` (both x, y, z); zeros outside."""
        out = np.zeros(size[::-1], dtype=self.volume.dtype)
        start = [o - m for o, m in zip(offset[::-1], self.min_point[::-1], strict=True)]
        source, target = [], []
        for s, n, full in zip(start, size[::-1], self.volume.shape, strict=True):
            low, high = max(s, 0), min(s + n, full)
            source.append(slice(low, max(low, high)))
            target.append(slice(low - s, low - s + max(0, high - low)))
        out[tuple(target)] = self.volume[tuple(source)]
        return out


class FakeDVID:
    """The server; ``add(...)`` registers a volume and returns its ``(server, uuid, name)``."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Instance]] = {}
        self.missing_status = 400
        self.max_bytes = 2**30
        self.drop_next = 0
        #: Applied to every voxel payload before it is sent (to test corrupt replies).
        self.mangle: Callable[[bytes], bytes] | None = None
        self.connections = 0
        self.requests: list[str] = []
        self._lock = threading.Lock()
        self._httpd = _Server(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()

    def add(
        self,
        volume: np.ndarray,
        *,
        type_name: str = "uint8blk",
        voxel_size: tuple[float, float, float] = (8.0, 8.0, 8.0),
        min_point: tuple[int, int, int] = (0, 0, 0),
        name: str = "grayscale",
        node: str | None = None,
        units: str = "nanometers",
    ) -> tuple[str, str, str]:
        node = node or uuids.uuid4().hex
        with self._lock:
            self.nodes.setdefault(node, {})[name] = Instance(
                volume, type_name, voxel_size, min_point, units
            )
        return self.url, node, name

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _take_drop(self) -> bool:
        with self._lock:
            if self.drop_next > 0:
                self.drop_next -= 1
                return True
            return False

    def answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET, as DVID would answer it."""
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if parts[:2] == ["api", "repo"] and len(parts) == 4 and parts[3] == "info":
            node = self.nodes.get(parts[2])
            if node is None:
                return _text(400, f"No node with UUID {parts[2]} found ({path}).")
            instances = {n: i.info(n, parts[2]) for n, i in node.items()}
            return _json({"Root": parts[2], "Alias": "", "DataInstances": instances})
        if parts[:2] != ["api", "node"] or len(parts) < 5:
            return _text(404, f"Could not find the URL: {path}")
        node = self.nodes.get(parts[2])
        if node is None:
            return _text(400, f"No node with UUID {parts[2]} found ({path}).")
        instance = node.get(parts[3])
        if instance is None:
            return _text(self.missing_status, f"data instance {parts[3]!r} not found ({path}).")
        rest = "/".join(parts[4:])
        if rest == "info":
            return _json(instance.info(parts[3], parts[2]))
        match = _RAW.match(rest)
        if match is None:
            return _text(400, f"Bad API call ({path}) for data {parts[3]!r}.")
        return self._raw(instance, match, query, path)

    def _raw(
        self, instance: Instance, match: re.Match[str], query: dict[str, list[str]], path: str
    ) -> tuple[int, str, bytes]:
        numbers = [int(g) for g in match.groups()]
        size, offset = tuple(numbers[:3]), tuple(numbers[3:])
        if min(size) <= 0:
            return _text(400, f"Illegal geometry requested: size {size} ({path}).")
        itemsize = 8 if instance.type_name in LABEL_TYPES else instance.volume.dtype.itemsize
        if int(np.prod(size)) * itemsize > self.max_bytes:
            return _text(
                400,
                f"Requested payload ({int(np.prod(size)) * itemsize} bytes) exceeds this DVID "
                f"server's set limit ({self.max_bytes}) ({path}).",
            )
        box = instance.box(size, offset)
        if instance.type_name in LABEL_TYPES:
            body = box.astype("<u8").tobytes()
            compression = query.get("compression", [""])[0]
            if compression == "gzip":
                body = gzip.compress(body, compresslevel=1)
            elif compression:
                return _text(400, f"unknown compression {compression!r} ({path}).")
        else:
            body = box.astype(box.dtype.newbyteorder("<")).tobytes()
        if self.mangle is not None:
            body = self.mangle(body)
        return 200, "application/octet-stream", body


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (as the tests make them) are no error worth printing."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _text(status: int, message: str) -> tuple[int, str, bytes]:
    return status, "text/plain; charset=utf-8", (message + "\n").encode()


def _json(document: Any) -> tuple[int, str, bytes]:
    return 200, "application/json", json.dumps(document).encode()


def _handler(server: FakeDVID) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: the client reuses its connection

        def setup(self) -> None:
            super().setup()
            with server._lock:
                server.connections += 1

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            with server._lock:
                server.requests.append(self.path)
            if server._take_drop():
                self.close_connection = True  # hang up without a word
                return
            status, content_type, body = server.answer(parts.path, parse_qs(parts.query))
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


_SHARED: FakeDVID | None = None


def shared_server() -> FakeDVID:
    """One server per process (started on first use, shut down at exit), for the cases."""
    global _SHARED
    if _SHARED is None:
        _SHARED = FakeDVID()
        atexit.register(_SHARED.close)
    return _SHARED
