"""Compressors and byte orders as zarr-python 2 / numcodecs and Java N5 store them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import zarr
from numcodecs import BZ2, LZ4, LZMA, GZip, Zstd

from dacapo.experiments.datasplits.datasets.arrays import MetadataError, ZarrArrayConfig

pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning")  # zarr's N5Store

DATA = np.arange(4 * 6 * 8, dtype="uint16").reshape(4, 6, 8)


def _config(container: Path, dataset: str) -> ZarrArrayConfig:
    return ZarrArrayConfig(name=dataset, file_name=container, dataset=dataset, mode="r")


def _read_all(config: ZarrArrayConfig) -> np.ndarray:
    assert config.verify() == (True, "No validation for this Array")
    array = config.create_array()
    return array[array.roi]


def _n5(path: Path, compressor: object, data: np.ndarray = DATA) -> zarr.Array:
    store = zarr.n5.N5Store(str(path))
    array = zarr.create(
        store=store,
        path="raw",
        shape=data.shape,
        chunks=(2, 3, 4),
        dtype=data.dtype,
        compressor=compressor,
    )
    array[:] = data
    return array


def test_zarr2_zstd_with_checksum_key_reads(tmp_path: Path) -> None:
    """numcodecs >= 0.13 writes ``{"id": "zstd", "level": 6, "checksum": false}``."""
    for checksum in (False, True):
        path = tmp_path / f"zstd-{checksum}.zarr"
        z = zarr.open(
            str(path),
            mode="w",
            shape=DATA.shape,
            chunks=(2, 3, 4),
            dtype="u2",
            compressor=Zstd(level=6, checksum=checksum),
        )
        z[:] = DATA
        stored = json.loads((path / ".zarray").read_text())["compressor"]
        assert stored == {"id": "zstd", "level": 6, "checksum": checksum}
        np.testing.assert_array_equal(_read_all(_config(path, "")), z[:])


@pytest.mark.parametrize("dtype", [">u8", ">f4", ">i2", "<u8"])
def test_zarr2_big_endian_reads_native(tmp_path: Path, dtype: str) -> None:
    """``dtype`` is what reads return: native byte order, same values as zarr's reading."""
    path = tmp_path / "be.zarr"
    z = zarr.open(str(path), mode="w", shape=DATA.shape, chunks=(2, 3, 4), dtype=dtype)
    z[:] = DATA.astype(dtype)
    array = _config(path, "").create_array()
    got = array[array.roi]
    assert array.dtype == np.dtype(dtype).newbyteorder("=") == got.dtype
    assert got.dtype.isnative
    np.testing.assert_array_equal(got, z[:])
    expected_labels = {"u": True, "i": None, "f": False}[np.dtype(dtype).kind]
    if dtype[1:] != "i2":
        assert array.is_labels is expected_labels


def test_n5_zstd_through_zarrs_n5store_reads(tmp_path: Path) -> None:
    written = _n5(tmp_path / "zstd.n5", Zstd(level=3))
    stored = json.loads((tmp_path / "zstd.n5" / "raw" / "attributes.json").read_text())
    assert stored["compression"]["type"] == "zstd"
    np.testing.assert_array_equal(_read_all(_config(tmp_path / "zstd.n5", "raw")), written[:])


@pytest.mark.parametrize(
    ("codec", "legacy"), [(None, "raw"), (GZip(), "gzip"), (BZ2(), "bzip2"), (LZMA(), "xz")]
)
def test_legacy_n5_compression_type_reads(tmp_path: Path, codec: object, legacy: str) -> None:
    """N5 < 2.0 names the codec with ``compressionType``; the blocks are the same."""
    written = _n5(tmp_path / "old.n5", codec)
    attributes = tmp_path / "old.n5" / "raw" / "attributes.json"
    document = json.loads(attributes.read_text())
    del document["compression"]
    attributes.write_text(json.dumps(document | {"compressionType": legacy}))
    np.testing.assert_array_equal(_read_all(_config(tmp_path / "old.n5", "raw")), written[:])


def test_lz4_and_other_unreadable_codecs_are_refused_by_verify_and_open(tmp_path: Path) -> None:
    _n5(tmp_path / "lz4.n5", LZ4())
    z = zarr.open(str(tmp_path / "lzma.zarr"), mode="w", shape=(2,), dtype="u1", compressor=LZMA())
    z[:] = 1
    attributes = tmp_path / "legacy.n5" / "attributes.json"
    attributes.parent.mkdir()
    attributes.write_text(
        json.dumps(
            {"dimensions": [2], "blockSize": [2], "dataType": "uint8", "compressionType": "lz4"}
        )
    )
    cases = [
        (_config(tmp_path / "lz4.n5", "raw"), r"compressor 'lz4' of .*lz4\.n5/raw/attributes"),
        (_config(tmp_path / "lzma.zarr", ""), r"compressor 'lzma' of .*lzma\.zarr/\.zarray"),
        (_config(tmp_path / "legacy.n5", ""), r"compressor 'lz4' .*\(readable: bzip2, gzip, raw"),
    ]
    for config, pattern in cases:
        ok, message = config.verify()
        assert not ok
        assert re.search(pattern, message)
        assert "cannot be decoded here" in message
        with pytest.raises(MetadataError, match=pattern):
            config.create_array()
