"""The numeric kernels of the computed kinds and the pyramid writer: plain numpy functions.

Kinds keep their metadata and ask their sources; what they compute on the voxels lives here,
one module per family, each function tested alone against a numpy reference:

* :mod:`._binarize`: :func:`binarize` (label ids to one channel per group), :func:`label_range`;
* :mod:`._narrow`: :func:`narrow_labels` (labels as ``uint8`` / ``uint16`` when they fit);
* :mod:`._resample`: nearest / block-mean downsampling, nearest / linear upsampling,
  :func:`resample_block` for ``ResampledArray`` and the one :func:`downsample_mean`;
* :mod:`._pyramid`: :func:`halve`, a pyramid level by mean (that same ``downsample_mean``)
  or by :func:`downsample_mode`.

Thread pools the kernels use belong to :class:`.._threads.ThreadPool` objects.
"""

from ._binarize import binarize, label_range
from ._narrow import narrow_labels
from ._pyramid import HALVING, downsample_mode, halve
from ._resample import cast_back, downsample_mean, resample_block, working_dtype

__all__ = [
    "HALVING",
    "binarize",
    "cast_back",
    "downsample_mean",
    "downsample_mode",
    "halve",
    "label_range",
    "narrow_labels",
    "resample_block",
    "working_dtype",
]
