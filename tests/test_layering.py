"""The product imports the model by its public names only (docs/architecture.md); ruff's
TID251 checks the other direction (the model never imports the product)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
MODEL = "dacapo.experiments.datasplits.datasets.arrays"


def _imports(path: Path) -> list[str]:
    """Every module a file imports, at any depth (lazy imports inside functions too)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [node.module] + [f"{node.module}.{a.name}" for a in node.names]
    return found


PRODUCT = sorted((SRC / "dacapo_arrays").rglob("*.py"))


@pytest.mark.parametrize("path", PRODUCT, ids=lambda p: str(p.relative_to(SRC)))
def test_the_product_imports_only_public_model_names(path: Path) -> None:
    private = [
        name
        for name in _imports(path)
        if name.startswith(MODEL + ".")
        and any(part.startswith("_") for part in name[len(MODEL) + 1 :].split("."))
    ]
    assert private == [], f"{path.name} imports private model modules: {private}"


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(f"def f():\n    from {MODEL}._storage.units import NM\n")
    assert f"{MODEL}._storage.units" in _imports(sample)
