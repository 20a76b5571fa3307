from __future__ import annotations

import os
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


def test_a_reader_that_stops_early_is_no_error(tmp_path, shared_labels, entry_point) -> None:
    """``dacapo-arrays info ... | head``: a reader gone before the output ends (here: before
    it starts) ends the command quietly, exit 0, not an internal error."""
    config, _ = shared_labels
    config.to_file(tmp_path / "labels.yaml")
    read_end, write_end = os.pipe()
    process = subprocess.Popen(
        [entry_point, "info", str(tmp_path / "labels.yaml")],
        stdout=write_end, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    os.close(write_end)
    os.close(read_end)  # the reader is gone: every write fails with a broken pipe
    _, stderr = process.communicate(timeout=60)
    assert (process.returncode, stderr) == (0, "")
