"""Which 2x downsampling a pyramid takes: mean for intensities, mode for labels.

The computation itself is the model's kernel :func:`~dacapo.experiments.datasplits.datasets.
arrays.kernels.halve` (the block mean is the one ``ResampledArray`` computes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dacapo.experiments.datasplits.datasets.arrays.errors import ConfigError

if TYPE_CHECKING:
    from dacapo.experiments.datasplits.datasets.arrays import Array

METHODS = ("auto", "mean", "mode")


def method_for(array: Array, requested: str = "auto") -> str:
    """``"mode"`` or ``"mean"``: ``requested`` unless ``"auto"``, which asks
    ``array.is_labels`` (labels take the mode, intensities the mean) and refuses to guess
    when it is ``None``: a mean of label ids invents ids, a mode of intensities posterizes.
    """
    if requested not in METHODS:
        raise ValueError(f"unknown downsampling {requested!r}; use one of {list(METHODS)}")
    if requested != "auto":
        return requested
    if array.is_labels is None:
        raise ConfigError(
            f"cannot tell whether {array._label()} (dtype {array.dtype}) holds labels or "
            f"intensities, and its pyramid levels depend on it: nothing in its metadata says, "
            f"and {array.dtype} is used for both; choose with `--downsample mode` (labels) or "
            f"`--downsample mean` (intensities), in Python downsample='mode' or 'mean', or set "
            f"is_labels on the array's config"
        )
    return "mode" if array.is_labels else "mean"
