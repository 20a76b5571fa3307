"""``Case``: one array config plus the plain-numpy truth it must reproduce."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path

import attrs

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, NumpyArray

#: Builds the config (writing whatever files it needs below the given folder) and the truth:
#: a NumpyArray with the geometry, dtype and voxels the config's array must have.
Factory = Callable[[Path], tuple[ArrayConfig, NumpyArray]]


@attrs.frozen
class Case:
    """A conformance case: ``make(tmp_path) -> (config, truth)``."""

    id: str
    make: Factory
    #: Whether the array accepts ``array[roi] = values``.
    writable: bool = False
    #: Whether the array is computed on demand (``data`` raises, not writable).
    virtual: bool = True


def all_cases() -> list[Case]:
    """Every case of every kind module in :mod:`dacapo_arrays.testing.cases`."""
    from . import cases

    found: list[Case] = []
    for info in sorted(pkgutil.iter_modules(cases.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{cases.__name__}.{info.name}")
        found.extend(module.CASES)
    return found
