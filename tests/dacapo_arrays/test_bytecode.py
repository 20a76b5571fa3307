"""The demo's bytecode step: compiled files for loaded modules that had none."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

from dacapo_arrays.bytecode import compile_loaded_modules


def test_loaded_modules_without_bytecode_get_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "dacapo_bytecode_probe.py"
    source.write_text("VALUE = 41 + 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "dont_write_bytecode", True)  # as PYTHONDONTWRITEBYTECODE does
    module = importlib.import_module("dacapo_bytecode_probe")
    monkeypatch.setitem(sys.modules, "dacapo_bytecode_probe", module)
    cached = Path(importlib.util.cache_from_source(str(source)))
    assert not cached.exists()
    assert compile_loaded_modules() >= 1
    assert cached.exists()
    assert compile_loaded_modules() == 0  # nothing stale is left
