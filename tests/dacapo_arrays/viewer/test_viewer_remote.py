"""Stored pyramids on remote containers in the viewer: one multiscale layer, in real Chromium.

The pyramids are written by ``write`` into a local folder, then put where users keep them:
an S3 bucket (a real S3-compatible server, moto, on loopback) or a plain HTTP server that
sends no CORS headers (so neuroglancer could not read it directly). ``view URL/GROUP`` must
show one layer whose zoomed-out view reads a coarse level, through the viewer's own server.
"""

from __future__ import annotations

import functools
import re
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, NumpyArray
from dacapo_arrays.blockwise import write
from dacapo_arrays.testing.sources import zarr_source
from dacapo_arrays.viewer.cli import load

from .conftest import em_like, paths_served_for_a_view

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pyramids(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with ``out.zarr`` (zarr v2) and ``sharded.zarr`` (zarr v3, 2x2x2 chunks a
    shard), each holding the pyramid ``raw`` (s0..s2) of a 16 x 256 x 256 uint8 image."""
    folder = tmp_path_factory.mktemp("remote")
    truth = NumpyArray.from_np_array(
        em_like((16, 256, 256)), Roi((0, 0, 0), (128, 2048, 2048)), (8, 8, 8), list("zyx")
    )
    config = zarr_source(folder, truth, name="raw", container="source.zarr")
    for name, shards in (("out.zarr", None), ("sharded.zarr", (16, 64, 64))):
        write(config, ArrayIdentifier(folder / name, "raw"), pyramid_levels=2,
              chunk_shape=(8, 32, 32), shard_shape=shards, downsample="mean", workers=1,
              progress=False)  # fmt: skip
    return folder


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def in_s3(pyramids: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The pyramids uploaded to a fresh bucket of a local moto server: ``s3://BUCKET``."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    bucket = f"bucket-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    for path in pyramids.rglob("*"):
        if path.is_file() and not path.relative_to(pyramids).parts[0].endswith(".blocks"):
            client.upload_file(str(path), bucket, path.relative_to(pyramids).as_posix())
    try:
        yield f"s3://{bucket}"
    finally:
        server.stop()


class _PlainHandler(SimpleHTTPRequestHandler):
    """A static file server as many labs run one: no CORS headers."""

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def over_http(pyramids: Path) -> Iterator[str]:
    handler = functools.partial(_PlainHandler, directory=str(pyramids))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _levels_read(target: str, zoom: float, tmp_path: Path) -> set[str]:
    """The levels whose chunks a 400x400 view of ``target`` read at ``zoom``."""
    ((array, url),) = load(target)
    assert array.name == "raw"
    assert url is not None
    assert re.match(r"^zarr[23]://http://127\.0\.0\.1:\d+/raw$", url.url), url
    served = paths_served_for_a_view(array, url, target.rpartition("/")[0], zoom, tmp_path)
    # zarr v2 chunk keys raw/sK/0.0.0; zarr v3 raw/sK/c/0/0/0
    return {m.group(1) for p in served if (m := re.match(r"^/raw/(s\d)/(c/)?\d+[./]", p))}


@pytest.mark.parametrize(
    ("where", "container"),
    [("in_s3", "out.zarr"), ("over_http", "out.zarr"), ("in_s3", "sharded.zarr")],
)
def test_a_remote_pyramid_is_one_layer_and_zoomed_out_reads_its_coarse_level(
    where: str, container: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    base = request.getfixturevalue(where)
    target = f"{base}/{container}/raw"
    zoomed_out = _levels_read(target, 4.0, tmp_path)
    assert "s0" not in zoomed_out
    assert zoomed_out & {"s1", "s2"}
    assert "s0" in _levels_read(target, 0.5, tmp_path)
