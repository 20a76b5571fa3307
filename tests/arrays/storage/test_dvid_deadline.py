"""DVID: one total deadline per request; a stalled or trickling server fails within 30 s."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from dacapo.experiments.datasplits.datasets.arrays import ArrayError, DVIDArrayConfig
from dacapo.experiments.datasplits.datasets.arrays._storage.dvid_deadline import (
    DEADLINE_SETTING,
)

BOUND = 30


class Server:
    """Accepts; sends the head of a reply, then ``trickle`` one byte every 0.5 s (or nothing)."""

    def __init__(self, trickle: bool) -> None:
        self.trickle = trickle
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = int(self.socket.getsockname()[1])
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            if not self.trickle:
                self.stop.wait(BOUND * 2)
                return
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n{")
            while not self.stop.wait(0.5):
                try:
                    connection.sendall(b" ")
                except OSError:
                    return

    def close(self) -> None:
        self.stop.set()
        self.socket.close()


@pytest.mark.parametrize("trickle", [False, True], ids=["stalled", "trickling"])
def test_a_bad_server_fails_within_the_deadline(trickle: bool) -> None:
    server = Server(trickle)
    try:
        started = time.monotonic()
        with pytest.raises(ArrayError) as caught:
            DVIDArrayConfig(
                name="d", source=[f"http://127.0.0.1:{server.port}", "a1b2", "grayscale"]
            ).create_array()
        assert time.monotonic() - started < BOUND
        assert f"http://127.0.0.1:{server.port}" in str(caught.value)
        if trickle:
            assert DEADLINE_SETTING in str(caught.value)
    finally:
        server.close()
