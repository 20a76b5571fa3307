from __future__ import annotations

import threading
from pathlib import Path

import pytest
from upath import UPath

from dacapo.experiments.datasplits.datasets.arrays import MetadataError, ReadOnlyError
from dacapo.experiments.datasplits.datasets.arrays._storage.kvstore import (
    Container,
    join,
    kvstore_spec,
)
from dacapo.experiments.datasplits.datasets.arrays.errors import StorageError


def test_paths_and_urls_map_to_kvstores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    assert kvstore_spec("/data/x.zarr") == {"driver": "file", "path": "/data/x.zarr/"}
    assert kvstore_spec("file:///data/x.zarr") == {"driver": "file", "path": "/data/x.zarr/"}
    assert kvstore_spec(UPath("s3://bucket/a/x.zarr")) == {
        "driver": "s3",
        "bucket": "bucket",
        "path": "a/x.zarr/",
    }
    assert kvstore_spec("gs://bucket/x.n5") == {
        "driver": "gcs",
        "bucket": "bucket",
        "path": "x.n5/",
    }
    assert kvstore_spec("https://host:8000/d/x.zarr") == {
        "driver": "http",
        "base_url": "https://host:8000",
        "path": "/d/x.zarr/",
    }
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
    assert kvstore_spec("s3://b/x.zarr")["endpoint"] == "http://127.0.0.1:9000"
    assert kvstore_spec("s3://b/x.zarr")["aws_region"] == "us-east-1"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://s3.local")
    monkeypatch.setenv("AWS_REGION", "eu-west-2")
    spec = kvstore_spec("s3://b/x.zarr")
    assert (spec["endpoint"], spec["aws_region"]) == ("http://s3.local", "eu-west-2")
    assert join(spec, "/raw/s0/")["path"] == "x.zarr/raw/s0/"
    with pytest.raises(StorageError, match=r"unsupported storage URL 'ftp://h/x.zarr': scheme"):
        kvstore_spec("ftp://h/x.zarr")


def test_json_documents(tmp_path: Path) -> None:
    container = Container(tmp_path / "c.zarr")
    assert not container.exists()
    container.write_json("a/.zattrs", {"x": 1})
    assert container.exists()
    assert container.read_jsons(["a/.zattrs", "b"]) == {"a/.zattrs": {"x": 1}, "b": None}
    (tmp_path / "c.zarr/bad").write_text("[1, 2]")
    with pytest.raises(MetadataError, match=r"'.*c.zarr/bad' holds a JSON list, not an object"):
        container.read_json("bad")
    assert not Container("http://127.0.0.1:1/x.zarr").writable
    with pytest.raises(ReadOnlyError, match="served over HTTP, which is read-only"):
        Container("http://127.0.0.1:1/x.zarr").write_json("a", {})


def test_updates_are_atomic_across_threads(tmp_path: Path) -> None:
    container = Container(tmp_path / "c.zarr")

    def bump() -> None:
        for _ in range(10):
            container.update_json("n.json", lambda d: {"n": (d or {"n": 0})["n"] + 1})

    threads = [threading.Thread(target=bump) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert container.read_json("n.json") == {"n": 60}


def test_one_context_per_process_without_fsync() -> None:
    from dacapo.experiments.datasplits.datasets.arrays._storage.kvstore import shared_context

    context = shared_context()
    assert shared_context() is context
    assert context.spec.to_json()["file_io_sync"] is False
