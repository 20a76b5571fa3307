"""``DummyArray``: a fixed array of zeros for tests."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from funlib.geometry import Roi

from .numpy_array import NumpyArray

if TYPE_CHECKING:
    from .dummy_array_config import DummyArrayConfig


class DummyArray(NumpyArray):
    """Zeros of shape (100, 50, 50), float64, voxel size (1, 2, 2), ROI [0:100]³, writable.

    >>> from dacapo.experiments.datasplits.datasets.arrays import DummyArrayConfig
    >>> array = DummyArrayConfig(name="dummy").create_array()
    >>> array.data.shape, array.voxel_size, array.roi
    ((100, 50, 50), (1, 2, 2), [0:100, 0:100, 0:100] (100, 100, 100))
    """

    def __init__(self, array_config: DummyArrayConfig) -> None:
        super().__init__(
            np.zeros((100, 50, 50)),
            Roi((0, 0, 0), (100, 100, 100)),
            (1, 2, 2),
            ["z", "y", "x"],
            name=array_config.name,
        )
        self._config = array_config
