"""ResampledArray: 2x down- and upsampling to 128³ outputs, beside ``skimage.transform.rescale``.

The reference is what the original DaCapo did per request: read the source ROI, cast to
float32, ``rescale(x, scale, order, anti_aliasing=order != 0)``, cast back. Both sides read the
same ROIs of ``data.raw`` (and ``data.labels`` for order 0) from the same store; throughput is
counted in output bytes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from funlib.geometry import Coordinate, Roi
from skimage.transform import rescale

from benchmarks.harness import Data, Row, interleaved
from dacapo.experiments.datasplits.datasets.arrays import Array, ArrayConfig, ResampledArrayConfig

OUT = 128
COUNT = 2


def _rois(array: Array, count: int = COUNT, seed: int = 0) -> list[Roi]:
    """``count`` ROIs of 128³ output voxels, aligned to the output grid, inside ``array``."""
    rng = np.random.default_rng(seed)
    shape = Coordinate((OUT,) * array.dims) * array.voxel_size
    rois = []
    axes = zip(array.roi.begin, array.roi.shape, shape, array.voxel_size, strict=True)
    spans = list(axes)
    for _ in range(count):
        begin = [b + int(rng.integers(0, (s - w) // v + 1)) * v for b, s, w, v in spans]
        rois.append(Roi(begin, shape))
    return rois


def _skimage(source: Array, rois: list[Roi], scale: float, order: int) -> Callable[[], None]:
    """The original per-request path: float32, skimage rescale, cast back (truncating)."""
    source_rois = [roi.snap_to_grid(source.voxel_size, mode="grow") for roi in rois]

    def run() -> None:
        for roi in source_rois:
            x = source[roi].astype(np.float32)
            y = rescale(x, scale, order=order, anti_aliasing=order != 0)
            y.astype(source.dtype)

    return run


def _rows(label: str, source_config: ArrayConfig, factor: int, order: int, up: bool) -> list[Row]:
    ones, factors = (1, 1, 1), (factor,) * 3
    config = ResampledArrayConfig(
        name=f"resampled_{label}",
        source_array_config=source_config,
        upsample=factors if up else ones,
        downsample=ones if up else factors,
        interp_order=order,
    )
    array = config.create_array()
    rois = _rois(array)
    nbytes = sum(int(np.prod(r.shape / array.voxel_size)) for r in rois) * array.dtype.itemsize
    scale = factor if up else 1 / factor
    timings = interleaved(
        {
            "ours": lambda: [array[roi] for roi in rois],
            "skimage": _skimage(array.source_array, rois, scale, order),
        },
        passes=5,
    )
    ours, theirs = timings["ours"], timings["skimage"]
    name = f"resample {label} {'up' if up else 'down'} {factor}x order {order} -> {OUT}³"
    return [
        ours.row(name, nbytes, (ours.over(theirs), "skimage.rescale")),
        theirs.row("  skimage.rescale, same reads", nbytes),
    ]


def run(data: Data) -> list[Row]:
    return [
        *_rows("raw", data.raw, 2, 1, up=False),
        *_rows("raw", data.raw, 2, 1, up=True),
        *_rows("labels", data.labels, 2, 0, up=False),
        *_rows("labels", data.labels, 2, 0, up=True),
    ]
