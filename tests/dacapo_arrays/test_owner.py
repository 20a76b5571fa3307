"""Living beside dacapo-ml: a foreign ``dacapo`` arrays package is named, with the fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MODEL = ("dacapo", "experiments", "datasplits", "datasets", "arrays")


@pytest.fixture
def foreign(tmp_path: Path) -> dict[str, str]:
    """A `dacapo` package laid out as dacapo-ml's, first on the path."""
    folder = tmp_path
    for part in MODEL:
        folder = folder / part
        folder.mkdir()
        (folder / "__init__.py").write_text('"""dacapo-ml"""\n')
    return {**os.environ, "PYTHONPATH": str(tmp_path)}


def test_importing_names_dacapo_ml_and_the_fix(foreign: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import dacapo_arrays"], env=foreign, capture_output=True, text=True
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: the importable dacapo.experiments.datasplits.datasets")
    assert "most likely dacapo-ml's" in last
    assert "pip uninstall dacapo-ml" in last


def test_the_command_prints_an_error_line_and_exits_1(foreign: dict[str, str]) -> None:
    script = Path(sys.executable).with_name("dacapo-arrays")
    done = subprocess.run(
        [str(script), "check", "raw.yaml"], env=foreign, capture_output=True, text=True
    )
    assert done.returncode == 1
    assert done.stderr.startswith("error: the importable dacapo.experiments")
    assert "dacapo-ml" in done.stderr
    assert "Traceback" not in done.stderr


def test_ours_passes() -> None:
    from dacapo_arrays._owner import owner_problem

    assert owner_problem() is None
