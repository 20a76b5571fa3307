"""The model installs and runs without the product's dependencies (the extras)."""

from __future__ import annotations

import subprocess
import sys

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
