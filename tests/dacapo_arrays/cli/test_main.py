from __future__ import annotations

import subprocess
import sys


def test_help_lists_every_command(cli) -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in ("info", "check", "write", "worker", "demo"):
        assert f"  {command} " in result.stdout


def test_version_and_module_entry_point(cli) -> None:
    version = cli("--version")
    assert version.returncode == 0
    assert "version" in version.stdout
    module = subprocess.run(
        [sys.executable, "-m", "dacapo_arrays.cli", "--help"], capture_output=True, text=True
    )
    assert module.returncode == 0
    assert "Usage: dacapo-arrays" in module.stdout


def test_usage_errors_exit_2(cli) -> None:
    result = cli("write", "only-one-argument.yaml")
    assert result.returncode == 2
    assert "Error: Missing argument 'OUTPUT'." in result.stderr
