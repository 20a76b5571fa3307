"""Cases for ``DummyArray`` (``NumpyArray`` has no config; its tests are its own)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import DummyArrayConfig, NumpyArray
from dacapo_arrays.testing.case import Case


def _dummy(tmp_path: Path) -> tuple[DummyArrayConfig, NumpyArray]:
    truth = NumpyArray.from_np_array(
        np.zeros((100, 50, 50)), Roi((0, 0, 0), (100, 100, 100)), (1, 2, 2), ["z", "y", "x"]
    )
    return DummyArrayConfig(name="dummy"), truth


CASES = [Case("dummy", _dummy, writable=True, virtual=False)]
