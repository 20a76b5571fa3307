"""A write to a full file system: a clear error naming the output, exit 2, nothing lost.

Uses a real, small tmpfs (mounted here as root); skipped where mounting is not allowed.
"""

from __future__ import annotations

import errno
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, StorageError
from dacapo_arrays.blockwise import write
from dacapo_arrays.blockwise.guard import OutputSpaceError, space_errors


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "small"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                          capture_output=True, check=False)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


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
