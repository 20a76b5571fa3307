"""Every remote fault ends in a StorageError naming the URL within 30 s (default settings).

Real servers on localhost: a socket server that accepts and never answers (or answers part of
a response, then stalls), a port nothing listens on, and a real S3 server (moto) stopped
after the array was opened.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import uuid
from collections.abc import Iterator

import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    StorageError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.deadline import (
    RETRIES_SETTING,
    TIMEOUT_SETTING,
    context_spec,
)

BOUND = 30


class SilentServer:
    """Accepts connections; sends ``reply`` (possibly nothing) and then never anything more."""

    def __init__(self, reply: bytes = b"") -> None:
        self.reply = reply
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.port = int(self.socket.getsockname()[1])
        self.connections: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with self._lock:  # a connection accepted while closing is closed here
                if self._closed:
                    connection.close()
                    return
                self.connections.append(connection)
            if self.reply:
                try:
                    connection.recv(65536)
                    connection.sendall(self.reply)
                except OSError:  # closed by close() meanwhile
                    return

    def close(self) -> None:
        with self._lock:
            self._closed = True
            with contextlib.suppress(OSError):  # wakes the accept() below on Linux
                self.socket.shutdown(socket.SHUT_RDWR)
            self.socket.close()
            connections, self.connections = self.connections, []
        for connection in connections:
            connection.close()
        self._thread.join(timeout=5)


@pytest.fixture
def silent() -> Iterator[SilentServer]:
    server = SilentServer()
    yield server
    server.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _s3_env(monkeypatch: pytest.MonkeyPatch, endpoint: str) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)


def _fails_in_time(url: str) -> StorageError:
    started = time.monotonic()
    with pytest.raises(StorageError) as caught:
        ZarrArrayConfig(name="a", file_name=url, dataset="raw").create_array()
    assert time.monotonic() - started < BOUND
    assert url in str(caught.value)
    assert TIMEOUT_SETTING in str(caught.value)
    return caught.value


def test_an_http_server_that_never_answers(silent: SilentServer) -> None:
    error = _fails_in_time(f"http://127.0.0.1:{silent.port}/data.zarr")
    assert "the server did not answer" in str(error)


def test_an_s3_endpoint_that_never_answers(silent, monkeypatch: pytest.MonkeyPatch) -> None:
    _s3_env(monkeypatch, f"http://127.0.0.1:{silent.port}")
    _fails_in_time("s3://bucket/data.zarr")


def test_a_refused_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    _s3_env(monkeypatch, f"http://127.0.0.1:{_closed_port()}")
    error = _fails_in_time("s3://bucket/data.zarr")
    assert "Could not connect" in str(error)


def test_a_server_that_stops_mid_answer() -> None:
    head = b'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n{"zarr_format": 2, '
    server = SilentServer(reply=head)
    try:
        _fails_in_time(f"http://127.0.0.1:{server.port}/data.zarr")
    finally:
        server.close()


def test_a_stopped_s3_server_fails_reads_in_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3
    from moto.server import ThreadedMotoServer

    port = _closed_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    _s3_env(monkeypatch, endpoint)
    bucket = f"bucket-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket=bucket)
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(f"s3://{bucket}/d.zarr", "raw"), ["z", "y", "x"],
        Roi((0, 0, 0), (16, 16, 16)), None, (1, 1, 1), "uint8",
    )  # fmt: skip
    array[array.roi] = 7
    assert (array[array.roi] == 7).all()
    server.stop()
    started = time.monotonic()
    # a kept-alive connection may still be answered once by the stopping server's thread
    with pytest.raises(StorageError, match=f"s3://{bucket}/d.zarr"):  # noqa: PT012
        for offset in range(0, 16, 4):
            assert (array[Roi((offset, 0, 0), (4, 16, 16))] == 7).all()
    assert time.monotonic() - started < BOUND


def test_retries_are_bounded_for_every_remote_driver() -> None:
    spec = context_spec()
    assert set(spec) == {"http_request_retries", "s3_request_retries", "gcs_request_retries"}
    assert all(v["max_retries"] == 2 for v in spec.values())
    assert RETRIES_SETTING.startswith("DACAPO_ARRAYS_")
