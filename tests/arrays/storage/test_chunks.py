"""A FIFO in place of a chunk: the read raises StorageError naming it within 5 s."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, StorageError, ZarrArray
from dacapo.experiments.datasplits.datasets.arrays._storage.chunks import special_files


def test_a_fifo_chunk_fails_the_read_in_time(tmp_path: Path) -> None:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(tmp_path / "f.zarr", "raw"), ["z", "y", "x"],
        Roi((0, 0, 0), (8, 8, 8)), None, (1, 1, 1), "uint8", write_size=(4, 4, 4),
    )  # fmt: skip
    array[array.roi] = 3
    chunk = next(p for p in (tmp_path / "f.zarr" / "raw").rglob("*") if p.is_file()
                 and not p.name.startswith("."))  # fmt: skip
    chunk.unlink()
    os.mkfifo(chunk)
    started = time.monotonic()
    try:
        with pytest.raises(StorageError, match=f"chunk '{chunk}' is not a regular file"):
            array[array.roi]
        assert time.monotonic() - started < 5
    finally:  # release tensorstore's thread still opening the FIFO
        os.close(os.open(chunk, os.O_WRONLY | os.O_NONBLOCK))
    chunk.unlink()
    np.testing.assert_array_equal(array[Roi((4, 4, 4), (4, 4, 4))], 3)


def test_a_fifo_chunk_fails_reads_in_flight_in_time(tmp_path: Path) -> None:
    """``read_async`` and ``read_many`` (reads nobody waits on yet) fail the same way."""
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(tmp_path / "f.zarr", "raw"), ["z", "y", "x"],
        Roi((0, 0, 0), (8, 8, 8)), None, (1, 1, 1), "uint8", write_size=(4, 4, 4),
    )  # fmt: skip
    array[array.roi] = 3
    chunk = tmp_path / "f.zarr" / "raw" / "1" / "1" / "1"
    chunk.unlink()
    os.mkfifo(chunk)
    fifo = Roi((4, 4, 4), (4, 4, 4))
    started = time.monotonic()
    try:
        future = array.read_async(fifo)
        with pytest.raises(StorageError, match=f"chunk '{chunk}' is not a regular file"):
            future.result(timeout=10)
        assert time.monotonic() - started < 5
        started = time.monotonic()
        rois = [Roi((0, 0, 0), (4, 4, 4)), fifo, Roi((0, 4, 0), (4, 4, 4))]
        found = list(array.read_many(rois, return_exceptions=True))
        assert time.monotonic() - started < 5
        np.testing.assert_array_equal(found[0], 3)
        assert isinstance(found[1], StorageError)
        assert f"chunk '{chunk}' is not a regular file" in str(found[1])
        np.testing.assert_array_equal(found[2], 3)
    finally:  # release tensorstore's threads still opening the FIFO
        for _ in range(4):
            with contextlib.suppress(OSError):
                os.close(os.open(chunk, os.O_WRONLY | os.O_NONBLOCK))
    chunk.unlink()
    np.testing.assert_array_equal(array[fifo], 0)  # a missing chunk: the fill value


def test_a_fifo_among_the_first_chunk_keys_is_found_at_open(tmp_path: Path) -> None:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(tmp_path / "f.zarr", "raw"), ["z", "y", "x"],
        Roi((0, 0, 0), (8, 8, 8)), None, (1, 1, 1), "uint8", write_size=(4, 4, 4),
    )  # fmt: skip
    array[array.roi] = 3
    chunk = tmp_path / "f.zarr" / "raw" / "0" / "0" / "0"
    chunk.unlink()
    os.mkfifo(chunk)
    started = time.monotonic()
    with pytest.raises(StorageError, match=f"chunk '{chunk}' is not a regular file"):
        ZarrArray.open_from_array_identifier(ArrayIdentifier(tmp_path / "f.zarr", "raw"))
    assert time.monotonic() - started < 1


def test_special_files_lists_only_non_regular_files(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "0").write_bytes(b"x")
    os.mkfifo(tmp_path / "a" / "1")
    assert special_files(str(tmp_path)) == [str(tmp_path / "a" / "1")]
