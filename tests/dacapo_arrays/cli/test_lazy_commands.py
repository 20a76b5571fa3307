"""Each command imports what it needs: ``write`` not the viewer, ``info`` not the writer.

The commands' modules are imported when a command runs (``cli.COMMANDS``), so a command's
start-up pays only for its own libraries. Each case runs the real command in a fresh Python
and reports the modules it had loaded at exit.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArray

RUN = """
import json, runpy, sys
sys.argv = ["dacapo-arrays", *json.loads(sys.argv[1])]
try:
    runpy.run_module("dacapo_arrays.cli", run_name="__main__")
except SystemExit as exit:
    assert not exit.code, exit.code
print(json.dumps(sorted(sys.modules)))
"""

VIEWER = {"neuroglancer", "dacapo_arrays.viewer", "dacapo_arrays.viewer.cli", "http.server"}
WRITER = {"daisy", "dacapo_arrays.blockwise", "dacapo_arrays.blockwise.scheduler"}


def _modules_after(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", RUN, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_a_small_write_without_a_bar_loads_no_viewer_nor_tqdm(tmp_path: Path, labels) -> None:
    config, truth = labels
    config.to_file(tmp_path / "labels.json")
    output = tmp_path / "out.zarr"
    loaded = _modules_after("write", str(tmp_path / "labels.json"), str(output), "--no-progress")
    written = ZarrArray.open_from_array_identifier(ArrayIdentifier(output, "labels/s0"))
    np.testing.assert_array_equal(written[written.roi], truth[truth.roi])
    assert loaded & (VIEWER | {"tqdm", "yaml"}) == set()
    assert "dacapo_arrays.blockwise.writer" in loaded  # the check can fail


def test_info_loads_neither_the_writer_nor_the_viewer(tmp_path: Path, shared_labels) -> None:
    config, _ = shared_labels
    config.to_file(tmp_path / "labels.json")
    loaded = _modules_after("info", str(tmp_path / "labels.json"))
    assert loaded & (VIEWER | WRITER | {"tqdm"}) == set()
    assert "dacapo_arrays.cli.info" in loaded


def test_help_still_lists_every_command(cli) -> None:
    result = cli("--help")
    assert result.returncode == 0, result.stderr
    listed = [line.split()[0] for line in result.stdout.split("Commands:")[1].splitlines() if line]
    assert listed == ["check", "demo", "info", "sample", "view", "worker", "write"]
