"""A local permission error, met as an unprivileged user, names the file, not AWS."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray

SCRIPT = """
from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig
a = ZarrArrayConfig(name="p", file_name={path!r}, dataset="raw").create_array()
try:
    a[a.roi]
except OSError as e:
    print(type(e).__name__, e)
"""


def _as_nobody(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *args],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None, reason="needs root and setpriv"
)
def test_an_unreadable_chunk_as_an_unprivileged_user() -> None:
    if _as_nobody(sys.executable, "-c", "import dacapo").returncode != 0:
        pytest.skip("user nobody cannot run this Python environment")
    # A fresh folder (tmp_path's name repeats across checkouts testing at the same time).
    folder = Path(tempfile.mkdtemp(prefix="perm-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        array = ZarrArray.create_from_array_identifier(
            ArrayIdentifier(folder / "p.zarr", "raw"), ["z", "y", "x"],
            Roi((0, 0, 0), (8, 8, 8)), None, (1, 1, 1), "uint8",
        )  # fmt: skip
        array[array.roi] = 1
        for here, dirs, files in os.walk(folder):
            for name in dirs:
                os.chmod(os.path.join(here, name), 0o755)
            for name in files:
                os.chmod(os.path.join(here, name), 0o644)
        chunk = next(p for p in (folder / "p.zarr" / "raw").rglob("*")
                     if p.is_file() and not p.name.startswith("."))  # fmt: skip
        chunk.chmod(0)
        done = _as_nobody(sys.executable, "-c", SCRIPT.format(path=str(folder / "p.zarr")))
        assert done.returncode == 0, done.stderr
        assert "Permission denied" in done.stdout
        assert str(chunk) in done.stdout
        assert "check the permissions of that file" in done.stdout
        assert "AWS" not in done.stdout
        assert "credentials" not in done.stdout
    finally:
        shutil.rmtree(folder, ignore_errors=True)
