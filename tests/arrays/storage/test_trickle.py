"""A remote server that trickles bytes (512 B/s: above curl's low-speed limit, so only the
total deadline per operation stops it) ends in a StorageError naming the URL in time:
opening, reads (``array[roi]``, ``read_async``, ``.data``) and with the default deadline."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    StorageError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.deadline import (
    DEADLINE_SETTING,
    DEFAULT_DEADLINE,
)

#: Bytes per second the server sends: twice curl's low-speed limit (256 B/s).
RATE = 512
METADATA = (".zarray", ".zattrs", ".zgroup", "zarr.json", "attributes.json")


class TrickleHandler(SimpleHTTPRequestHandler):
    """Serves a folder; ``trickle(path)`` bodies go out at :data:`RATE` (``forever``: a body
    announced as 1 MB that never ends)."""

    trickle: bool = True  # metadata too
    forever: bool = False
    stop: threading.Event

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if not self.trickle and self.path.rsplit("/", 1)[-1] in METADATA:
            return super().do_GET()
        if self.forever:
            body = b" " * 2**20
        else:
            body = Path(self.translate_path(self.path)).read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        step = RATE // 8
        for start in range(0, len(body), step):
            if self.stop.is_set():
                return
            try:
                self.wfile.write(body[start : start + step])
                self.wfile.flush()
            except OSError:
                return
            time.sleep(1 / 8)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[object]:
    servers: list[tuple[ThreadingHTTPServer, threading.Event]] = []

    def start(*, trickle_metadata: bool, forever: bool) -> str:
        stop = threading.Event()
        handler = type("Handler", (TrickleHandler,), {
            "trickle": trickle_metadata, "forever": forever, "stop": stop,
        })  # fmt: skip
        server = ThreadingHTTPServer(
            ("127.0.0.1", 0), functools.partial(handler, directory=str(tmp_path))
        )
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append((server, stop))
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server, stop in servers:
        stop.set()
        server.shutdown()
        server.server_close()


def _stored(tmp_path: Path) -> None:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(tmp_path / "d.zarr", "raw"), ["z", "y", "x"],
        Roi((0, 0, 0), (32, 32, 32)), None, (1, 1, 1), "uint8", write_size=(16, 16, 16),
    )  # fmt: skip
    array[array.roi] = np.random.default_rng(0).integers(0, 256, (32, 32, 32), dtype=np.uint8)


def test_opening_a_trickling_server_ends_within_the_default_deadline(
    tmp_path: Path, serve
) -> None:
    base = serve(trickle_metadata=True, forever=True)
    url = f"{base}/d.zarr"
    started = time.monotonic()
    with pytest.raises(StorageError, match=DEADLINE_SETTING) as caught:
        ZarrArrayConfig(name="d", file_name=url, dataset="raw").create_array()
    took = time.monotonic() - started
    assert took < DEFAULT_DEADLINE + 10  # the bound: 20 s (+ 1 s per MiB) for one document
    assert url in str(caught.value)
    assert "stalled or trickling" in str(caught.value)


def test_trickling_chunks_end_reads_at_the_deadline(
    tmp_path: Path, serve, monkeypatch: pytest.MonkeyPatch
) -> None:
    _stored(tmp_path)
    url = f"{serve(trickle_metadata=False, forever=False)}/d.zarr"
    array = ZarrArrayConfig(name="d", file_name=url, dataset="raw").create_array()
    monkeypatch.setenv(DEADLINE_SETTING, "2")
    roi = Roi((0, 0, 0), (16, 16, 16))  # one chunk: 4 KiB, 8 s at 512 B/s
    for read in (
        lambda: array[roi],
        lambda: array.read_async(roi).result(timeout=30),
        lambda: array.data[:16, :16, :16],
    ):
        started = time.monotonic()
        with pytest.raises(StorageError, match=r"no complete answer within 2 s") as caught:
            read()
        assert time.monotonic() - started < 6
        assert url in str(caught.value)
