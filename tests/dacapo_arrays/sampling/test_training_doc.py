"""docs/training.md: its Python examples run verbatim in a folder where the demo was written
(the PyTorch one only where torch is installed: ``.ci/run`` runs it in its torch venv)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from dacapo_arrays.demo import make_sample, write_configs

DOC = Path(__file__).parents[3] / "docs" / "training.md"
BLOCKS = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.DOTALL)


@pytest.fixture(scope="module")
def demo_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("training")
    write_configs(make_sample(folder / "demo"), folder / "demo" / "configs")
    return folder


def test_the_doc_has_the_examples() -> None:
    assert DOC.read_text().startswith("# Training with dacapo-arrays")
    assert any("torch" in b for b in BLOCKS)
    assert any("gunpowder" in b for b in BLOCKS)


@pytest.mark.parametrize("code", BLOCKS, ids=[f"block{i}" for i in range(len(BLOCKS))])
def test_example_runs_verbatim(code: str, demo_folder: Path) -> None:
    uses_torch = "import torch" in code or "from torch" in code
    if uses_torch and importlib.util.find_spec("torch") is None:
        pytest.skip("torch is not installed (.ci/run runs this in its torch venv)")
    script = demo_folder / "example.py"
    script.write_text(code)
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=demo_folder,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
