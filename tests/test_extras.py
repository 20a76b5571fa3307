"""The model installs and runs without the product's dependencies (the extras)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

#: Modules only the extras bring: blockwise writing, viewing, the CLI, the testing kit.
EXTRAS_ONLY = ("daisy", "neuroglancer", "click", "tqdm", "pytest", "hypothesis")

SCRIPT = """
import sys
import numpy as np
from funlib.geometry import Roi
from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, SumArray
array = NumpyArray(np.arange(8, dtype=np.uint8).reshape(2, 2, 2))
assert int(array[Roi((0, 0, 0), (2, 2, 2))].sum()) == 28
print(",".join(m for m in {modules!r} if m in sys.modules))
"""


def test_the_model_imports_none_of_the_extras() -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(modules=EXTRAS_ONLY)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("package", ["dacapo_arrays.blockwise", "dacapo_arrays.viewer"])
def test_the_runtime_product_never_imports_the_testing_tools(package: str) -> None:
    script = (
        f"import sys, {package}\n"
        "print(','.join(m for m in ('pytest', 'hypothesis') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def _dev_sync_packages(lock: dict[str, object]) -> set[str]:
    """Every package name the lock installs for the default sync (the dev group), followed
    through dependencies and the extras asked for."""
    packages = {p["name"]: p for p in lock["package"]}  # type: ignore[attr-defined]
    root = packages["dacapo-arrays"]
    todo = [(d["name"], tuple(d.get("extra", ()))) for d in root["dev-dependencies"]["dev"]]
    seen: set[tuple[str, tuple[str, ...]]] = set()
    while todo:
        name, extras = todo.pop()
        if (name, extras) in seen:
            continue
        seen.add((name, extras))
        package = packages[name]
        wanted = list(package.get("dependencies", []))
        for extra in extras:
            wanted += package.get("optional-dependencies", {}).get(extra, [])
        todo += [(d["name"], tuple(d.get("extra", ()))) for d in wanted]
    return {name for name, _ in seen}


def test_torch_is_an_extra_the_default_sync_never_installs() -> None:
    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    assert project["optional-dependencies"]["torch"] == ["torch>=2.1"]
    lock = tomllib.loads((root / "uv.lock").read_text())
    installed = _dev_sync_packages(lock)
    assert "gunpowder" in installed  # the walk follows the dev group
    assert not {"torch", "torchvision", "triton"} & installed
