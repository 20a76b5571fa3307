"""The viewer: array configs as neuroglancer layers, served locally, optionally screenshot.

``build_viewer(arrays)`` gives a ``neuroglancer.Viewer`` with one layer per array (each
array's ``_neuroglancer_layer()``), ``screenshot(viewer, path)`` renders it in headless
Chromium, and :mod:`.cli` is the ``view`` command built on both. The names below are
imported on first use, so the CLI does not pay for importing neuroglancer until it views.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "BrowserError": "browser",
    "screenshot": "browser",
    "ViewerError": "state",
    "build_viewer": "state",
    "load_arrays": "state",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
