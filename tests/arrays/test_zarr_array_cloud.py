"""ZarrArray on cloud paths: a real S3-compatible server (moto) and a real HTTP server, local."""

from __future__ import annotations

import functools
import pickle
import socket
import threading
import uuid
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    ContainerNotFoundError,
    DatasetNotFoundError,
    ReadOnlyError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo_arrays.testing.checks import read_in_a_spawned_process
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh bucket; the standard AWS variables point at the local server for this test."""
    import boto3

    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_ENDPOINT_URL": s3_endpoint,
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    name = f"bucket-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=name
    )
    return f"s3://{name}"


@pytest.mark.parametrize("fmt", ["zarr2", "zarr3", "n5"])
def test_s3_create_write_read_and_metadata(bucket: str, fmt: str) -> None:
    container = f"{bucket}/data.{'n5' if fmt == 'n5' else 'zarr'}"
    truth = numpy_truth(shape=(2, 6, 10, 12), voxel_size=(8, 4, 4), offset=(16, -16, 0))
    for level in (0, 1):
        created = ZarrArray.create_from_array_identifier(
            ArrayIdentifier(container, f"raw/s{level}", format=fmt),
            truth.axes,
            truth.roi,
            truth.num_channels,
            truth.voxel_size * 2**level if level else truth.voxel_size,
            truth.dtype,
            write_size=Coordinate(32, 16, 16),
            name="raw",
        )
    created = ZarrArray.open_from_array_identifier(ArrayIdentifier(container, "raw/s0"))
    created[created.roi] = truth[truth.roi]
    created.add_metadata({"note": "on s3"})
    config = ZarrArrayConfig(name="raw", file_name=container, dataset="raw/s0")
    assert config.verify() == (True, "No validation for this Array")
    array = config.to_array()
    assert (array.axes, array.voxel_size, array.roi) == (truth.axes, truth.voxel_size, truth.roi)
    assert array.attrs["note"] == "on s3"
    np.testing.assert_array_equal(array[array.roi], truth[truth.roi])
    roi = Roi((24, 0, 8), (16, 8, 20))
    np.testing.assert_array_equal(array[roi], truth[roi])
    levels = [p for p, _, _ in array.multiscale_levels]
    assert levels == ([] if fmt == "n5" else ["raw/s0", "raw/s1"])  # N5 + channels: no OME


def test_s3_errors_name_the_url(bucket: str) -> None:
    truth = numpy_truth()
    ZarrArray.create_from_array_identifier(
        ArrayIdentifier(f"{bucket}/data.zarr", "raw/s0"),
        truth.axes,
        truth.roi,
        None,
        truth.voxel_size,
        truth.dtype,
    )
    missing = ZarrArrayConfig(name="l", file_name=f"{bucket}/data.zarr", dataset="labels")
    with pytest.raises(
        DatasetNotFoundError,
        match=rf"no dataset 'labels' in container '{bucket}/data.zarr' \(found: 'raw/s0'\)",
    ):
        missing.to_array()
    nothing = ZarrArrayConfig(name="n", file_name=f"{bucket}/none.zarr", dataset="raw")
    with pytest.raises(ContainerNotFoundError, match=rf"container '{bucket}/none.zarr' does not"):
        nothing.to_array()


def test_s3_array_pickles_to_a_spawned_process(bucket: str) -> None:
    truth = numpy_truth()
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(f"{bucket}/data.zarr", "raw"),
        truth.axes,
        truth.roi,
        None,
        truth.voxel_size,
        truth.dtype,
    )
    array[array.roi] = truth[truth.roi]
    got = read_in_a_spawned_process(pickle.loads(pickle.dumps(array)), array.roi)
    np.testing.assert_array_equal(got, truth[truth.roi])


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A local ``http.server`` serving ``tmp_path``, and its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("fmt", ["zarr2", "zarr3", "n5"])
def test_http_reads_and_refuses_writes(http_folder: tuple[Path, str], fmt: str) -> None:
    folder, url = http_folder
    truth = numpy_truth(shape=(3, 6, 10, 12), voxel_size=(8, 4, 4))
    name = "data.n5" if fmt == "n5" else "data.zarr"
    zarr_source(folder, truth, name="raw", container=name, dataset="raw/s0", format=fmt)
    config = ZarrArrayConfig(name="web", file_name=f"{url}/{name}", dataset="raw/s0")
    assert config.verify() == (True, "No validation for this Array")
    array = config.to_array()
    assert not array.writable
    np.testing.assert_array_equal(array[array.roi], truth[truth.roi])
    with pytest.raises(ReadOnlyError, match=r"read-only \('http://.*' is served over HTTP"):
        array[array.roi] = 0
    with pytest.raises(
        DatasetNotFoundError, match=r"no dataset 'x' .* \(found: the store cannot be listed\)"
    ):
        ZarrArrayConfig(name="x", file_name=f"{url}/{name}", dataset="x").to_array()
    with pytest.raises(ContainerNotFoundError, match=r"container 'http://.*/none.zarr' does"):
        ZarrArrayConfig(name="x", file_name=f"{url}/none.zarr", dataset="x").to_array()
    with pytest.raises(ReadOnlyError, match="served over HTTP, which is read-only; copy it"):
        ZarrArray.create_from_array_identifier(
            ArrayIdentifier(f"{url}/{name}", "new"),
            ["z", "y", "x"],
            truth.roi,
            None,
            (8, 4, 4),
            "u1",
        )
