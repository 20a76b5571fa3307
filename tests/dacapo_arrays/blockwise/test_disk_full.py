"""A write to a full file system: a clear error naming the output, nothing lost.

Refused before it starts (exit 2) when the disk is (nearly) full; a disk that fills during
the write ends in a clear error (exit 1, never SIGBUS or abort) and the write resumes.
Uses real, small tmpfs mounts (mounted here as root); skipped where mounting is not allowed.
"""

from __future__ import annotations

import errno
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    NumpyArray,
    StorageError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo_arrays.blockwise import write
from dacapo_arrays.blockwise.guard import OutputFilledError, OutputSpaceError, space_errors
from dacapo_arrays.testing.sources import zarr_source


@contextmanager
def _tmpfs(mount: Path, size: str) -> Iterator[Path]:
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                          capture_output=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with _tmpfs(tmp_path / "small", "8m") as mount:
        yield mount


@pytest.fixture
def disk_20m(tmp_path: Path) -> Iterator[Path]:
    """A 20 MiB tmpfs: enough free space to start a write, not enough to finish it."""
    with _tmpfs(tmp_path / "disk", "20m") as mount:
        yield mount


def _grow(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,size=64m", str(mount)], check=True)


@pytest.fixture(scope="module")
def big_raw(tmp_path_factory: pytest.TempPathFactory) -> tuple[ZarrArrayConfig, NumpyArray]:
    """Uniform random uint8, 288³ voxels: 23 MiB that do not compress, more than a 20 MiB
    disk holds (which has the 16 MiB free that a write needs to start)."""
    data = np.random.default_rng(5).integers(0, 256, size=(288,) * 3, dtype=np.uint8)
    truth = NumpyArray.from_np_array(data, Roi((0, 0, 0), (2304,) * 3), (8, 8, 8), ["z", "y", "x"])
    folder = tmp_path_factory.mktemp("big")
    return zarr_source(folder, truth, name="raw", write_size=Coordinate(768, 768, 768)), truth


def _tracking_is_allocated(run_dir: Path) -> bool:
    """daisy's memory-mapped tracking files have all their bytes on disk (none sparse)."""
    files = [p for p in (run_dir / "tracking").rglob("*") if p.is_file()]
    return bool(files) and all(p.stat().st_blocks * 512 >= p.stat().st_size for p in files)


def test_a_full_disk_is_refused_before_writing(small_disk: Path, labels, cli) -> None:
    config, _ = labels
    (small_disk / "filler").write_bytes(b"\0" * (7 * 2**20))  # leaves < 16 MiB free
    output = small_disk / "out.zarr"
    started = time.monotonic()
    with pytest.raises(OutputSpaceError, match="bytes are free on its file system"):
        write(config, ArrayIdentifier(output, "copy"), progress=False)
    assert time.monotonic() - started < 10
    assert not output.exists()
    config.to_file(small_disk.parent / "labels.yaml")
    done = cli("write", str(small_disk.parent / "labels.yaml"), str(output))
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: cannot write dataset 'labels' of '{output}'")
    assert "free space" in done.stderr.splitlines()[-1]


def test_no_space_errors_become_output_space_errors() -> None:
    target = ArrayIdentifier("/data/out.zarr", "x")
    message = r"no space left.*run the same write again"
    with pytest.raises(OutputSpaceError, match=message), space_errors(target, "/data/r"):
        raise OSError(errno.ENOSPC, "No space left on device")
    assert issubclass(OutputSpaceError, StorageError)
    with pytest.raises(PermissionError), space_errors(target, "/r"):
        raise PermissionError(errno.EACCES, "denied")


def _output_matches(output: Path, truth: NumpyArray) -> bool:
    written = ZarrArray.open_from_array_identifier(ArrayIdentifier(output, "raw/s0"))
    return bool(np.array_equal(written[written.roi], truth[truth.roi]))


@pytest.mark.parametrize("mode", ["--no-in-process", "--in-process"])
def test_a_disk_that_fills_during_a_write_is_an_error_and_the_write_resumes(
    disk_20m: Path, labels, faults, cli, mode: str
) -> None:
    """The disk is filled (to the last byte) once the first block is written. Before daisy's
    tracking was allocated up front this ended in SIGBUS (exit 135), and with daisy's server
    printing to a log on the full disk, in an abort (exit 134)."""
    config, truth = labels
    config.to_file(disk_20m.parent / "labels.yaml")
    output = disk_20m / "out.zarr"
    args = ["write", str(disk_20m.parent / "labels.yaml"), str(output), "--block-shape",
            "8,8,8", "--workers", "2", "--no-progress", mode]  # fmt: skip
    faults.set(FAULT_FILL=str(disk_20m / "filler"))
    started = time.monotonic()
    done = faults.cli(*args)
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert time.monotonic() - started < 60
    error = done.stderr.splitlines()[0]
    assert error.startswith(f"error: cannot write dataset 'labels' of '{output}': ")
    assert "no space left" in error
    assert "run the same write again" in error
    assert "free space" in done.stderr.splitlines()[-1]
    assert _tracking_is_allocated(output.parent / "out.zarr.blocks" / "labels")

    (disk_20m / "filler").unlink()
    again = cli(*args)
    assert again.returncode == 0, again.stderr
    assert "already written" in again.stdout  # the blocks done before were kept
    written = ZarrArray.open_from_array_identifier(ArrayIdentifier(output, "labels/s0"))
    np.testing.assert_array_equal(written[written.roi], truth[truth.roi])


def test_the_python_api_raises_output_filled_error(disk_20m: Path, big_raw) -> None:
    config, truth = big_raw
    target = ArrayIdentifier(disk_20m / "out.zarr", "raw")
    with pytest.raises(OutputFilledError, match=r"its file system is full .*done\)") as info:
        write(config, target, block_shape=(32, 32, 32), workers=2, progress=False,
              in_process=False)  # fmt: skip
    result = info.value.result
    assert result is not None
    assert result.failures
    assert isinstance(info.value, StorageError)
    assert all("No space left" in failure.error for failure in result.failures)
    _grow(disk_20m)
    resumed = write(config, target, block_shape=(32, 32, 32), workers=2, progress=False)
    assert resumed.levels[0].skipped == result.levels[0].written > 0
    assert _output_matches(target.container, truth)
