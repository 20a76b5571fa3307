"""Fixtures for the product's tests: small stored volumes, the real CLI, injected faults."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, ZarrArrayConfig
from dacapo_arrays.blockwise.worker import BlockProcessor
from dacapo_arrays.testing.faults import BlockFaults
from dacapo_arrays.testing.sources import numpy_truth, zarr_source

#: The installed entry point (`dacapo-arrays`), beside this Python.
ENTRY_POINT = str(Path(sys.executable).parent / "dacapo-arrays")


def run_cli(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 120,
    cwd: Any = None,
    command: list[str] | None = None,
) -> Any:
    """Run ``dacapo-arrays ARGS`` as a user would; return the completed process."""
    return subprocess.run(
        [*(command or [ENTRY_POINT]), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
        cwd=cwd,
    )


def _labels(folder: Path) -> tuple[ZarrArrayConfig, NumpyArray]:
    truth = numpy_truth(
        shape=(24, 40, 36), dtype="uint64", voxel_size=(8, 4, 4), offset=(16, -8, 4), seed=3
    )
    config = zarr_source(
        folder, truth, name="labels", container="source.zarr", write_size=Coordinate(64, 32, 32)
    )
    return config, truth


@pytest.fixture
def labels(tmp_path: Path) -> tuple[ZarrArrayConfig, NumpyArray]:
    """uint64 labels, 24 x 40 x 36 voxels of (8, 4, 4) nm at an odd offset, 8^3 chunks.

    In ``tmp_path``: tests may change it.
    """
    return _labels(tmp_path)


@pytest.fixture(scope="session")
def shared_labels(tmp_path_factory: pytest.TempPathFactory) -> tuple[ZarrArrayConfig, NumpyArray]:
    """The same labels, made once per session: read them, never change them."""
    return _labels(tmp_path_factory.mktemp("shared-labels"))


@pytest.fixture(scope="session")
def reference_write(tmp_path_factory: pytest.TempPathFactory, shared_labels) -> Path:
    """``shared_labels`` written without interruption (8^3 blocks): the bytes to match."""
    from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier
    from dacapo_arrays.blockwise import write

    container = tmp_path_factory.mktemp("reference") / "out.zarr"
    write(shared_labels[0], ArrayIdentifier(container, "labels"), block_shape=(8, 8, 8),
          workers=1, progress=False)  # fmt: skip
    return container


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` by relative path: to compare outputs byte for byte."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


class Faults:
    """The testing kit's block faults, installed in this process (writes started here hand
    them to their workers); processes a test starts itself run :attr:`command`.

    Set faults with ``set(FAULT_...=...)``; read the block log with ``log()``.
    """

    #: ``dacapo-arrays`` with the faults installed: use it instead of the entry point.
    command = [sys.executable, "-m", "dacapo_arrays.testing.faults"]

    def __init__(self, folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.folder = folder
        self.monkeypatch = monkeypatch
        self.log_file = folder / "blocks.log"
        (folder / "markers").mkdir(parents=True)
        monkeypatch.setattr(BlockProcessor, "installed_observer", BlockFaults())
        self.set(FAULT_LOG=str(self.log_file), FAULT_MARKERS=str(folder / "markers"))

    def cli(self, *args: str, **options: Any) -> Any:
        """Like the ``cli`` fixture, with the faults installed in the command's process."""
        return run_cli(*args, command=self.command, **options)

    def set(self, **variables: str) -> None:
        for name, value in variables.items():
            self.monkeypatch.setenv(name, value)

    def clear(self) -> None:
        self.log_file.unlink(missing_ok=True)

    def log(self) -> list[str]:
        if not self.log_file.exists():
            return []
        return [line.split()[0] for line in self.log_file.read_text().splitlines()]


@pytest.fixture
def faults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Faults:
    return Faults(tmp_path / "faults", monkeypatch)


@pytest.fixture
def invoke() -> Any:
    """``invoke("info", ...)``: the CLI in this process (click's runner), for quick variants."""
    from click.testing import CliRunner

    from dacapo_arrays.cli import main

    return lambda *args: CliRunner().invoke(main, list(args))


@pytest.fixture
def cli() -> Any:
    """``cli("write", ...)``: the real ``dacapo-arrays`` entry point, as a subprocess."""
    return run_cli


@pytest.fixture
def entry_point() -> str:
    return ENTRY_POINT


@pytest.fixture
def snapshot() -> Any:
    """``snapshot(folder)``: every file below it, by relative path, as bytes."""
    return tree_bytes
