"""Without the [cli] extra, the command says how to install it instead of a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dacapo_arrays._command import CLI_ONLY

#: A stand-in for an uninstalled package: importing it fails as if it were absent.
ABSENT = 'raise ModuleNotFoundError("No module named {name!r}", name={name!r})\n'


def _without(tmp_path: Path, name: str) -> dict[str, str]:
    """An environment in which ``import NAME`` fails as it does when it is not installed."""
    (tmp_path / name).mkdir()
    (tmp_path / name / "__init__.py").write_text(ABSENT.format(name=name))
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, capture_output=True, text=True, env=env, timeout=120, check=False
    )


def test_the_command_without_click_says_how_to_install_it(tmp_path: Path, entry_point) -> None:
    done = _run([entry_point, "info", "x.yaml"], _without(tmp_path, "click"))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: the dacapo-arrays command needs the [cli] extra, which is not installed "
        "(no module 'click'); install it with `pip install 'dacapo-arrays[cli]'`"
    ]


def test_python_m_without_click_says_how_to_install_it(tmp_path: Path) -> None:
    done = _run([sys.executable, "-m", "dacapo_arrays.cli", "--help"], _without(tmp_path, "click"))
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "needs the [cli] extra" in done.stderr
    assert "pip install 'dacapo-arrays[cli]'" in done.stderr


@pytest.mark.parametrize("name", sorted(CLI_ONLY - {"click"}))
def test_other_missing_parts_of_the_extra_are_named(
    tmp_path: Path, name: str, entry_point
) -> None:
    done = _run([entry_point, "--help"], _without(tmp_path, name))
    assert "Traceback" not in done.stderr
    named = f"(no module {name!r}); install it with `pip install 'dacapo-arrays[cli]'`"
    # ``--help`` works where the module is imported only by the command that needs it
    assert (done.returncode, done.stderr) == (0, "") or (
        done.returncode == 2 and named in done.stderr
    )


def test_other_import_errors_are_not_disguised(tmp_path: Path, entry_point) -> None:
    done = _run([entry_point, "--help"], _without(tmp_path, "numpy"))
    assert done.returncode == 1
    assert "No module named 'numpy'" in done.stderr
    assert "[cli] extra" not in done.stderr
