"""``ResampledArray``: a source array up- or downsampled to another voxel size, on demand.

Geometry, per spatial axis with source voxel size ``s`` and factors ``up``/``down`` (a factor
of 0 is read as 1, as the original did for configs it generated): the voxel size is
``s * down / up``; an axis is upsampled or downsampled, never both; ``s * down / up`` must be
whole. The ROI is the source ROI shrunk to the new voxel grid. Axes are resampled one after
the other (separably); channels are resampled independently.

Values (``interp_order``), with every sample point at a voxel centre:

* ``0``, nearest: each output voxel takes the value of the source voxel that contains its
  centre. Voxels are half-open, so when downsampling by an even factor the centre lies on a
  boundary and the upper voxel is taken: output voxel ``j`` is source voxel
  ``j * down + down // 2``; upsampling repeats each source voxel ``up`` times. Values are
  copied, never blended: use it for labels.
* ``1``: downsampling averages the ``down`` source voxels each output voxel covers (a block
  mean: no aliasing); upsampling interpolates linearly between the two source voxel centres
  around the output voxel centre, which sits at source position
  ``m + (2r + 1 - up) / (2 up)`` for the ``r``-th output voxel of source voxel ``m``. The
  computation runs in float32 (float64 for int32 and float64 sources) and is cast back to the
  source dtype, rounding half to even for integer and bool sources.

Borders: upsampling with order 1 needs one source voxel of context on each side; beyond the
source ROI the edge voxel is repeated (edge replication), so the result never depends on the
ROI requested. Each read asks the source for exactly the voxels it needs plus that context,
clamped to the source ROI, and a voxel's value is computed by the same arithmetic whatever
block it is read in: reading a ROI whole or as any tiling of sub-ROIs gives identical voxels.

Stored pyramids (``use_pyramid=True``, off by default, so that a config means the same voxels
whatever else the container holds): when the source is a level of an OME-NGFF multiscale
group that has a level at the target voxel size (same axes, dtype and channels, covering the
ROI) *made by the same method* (its ``dacapo_arrays:downsample`` attribute, written by
``dacapo-arrays write --pyramid``, is ``"mean"`` for ``interp_order=1`` or ``"nearest"`` for
``interp_order=0``), that level is read instead of computing, as stored (with the pyramid's own
rounding); ``attrs["resampled_from_pyramid"]`` and the repr name its dataset. Mode-downsampled
label levels never stand in for nearest.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from funlib.geometry import Coordinate, Roi

from ._geometry import format_coordinate, format_roi
from ._reads import then
from ._virtual_array import VirtualArray
from .array import Array
from .errors import ConfigError
from .kernels import resample_block

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .resampled_array_config import ResampledArrayConfig

PYRAMID_ATTR = "resampled_from_pyramid"
#: The attribute of a stored pyramid level naming how it was downsampled from the level above.
PYRAMID_METHOD_ATTR = "dacapo_arrays:downsample"
#: The stored method each ``interp_order`` computes (block mean for 1, nearest for 0).
METHOD_OF_ORDER = {0: "nearest", 1: "mean"}


# -- checks shared by the array and its config's verify() ---------------------------------


def effective_factors(factors: Coordinate) -> Coordinate:
    """Factors as applied: 0 means 1 (what the original did with its generated configs)."""
    return Coordinate(max(int(f), 1) for f in factors)


def factor_problems(up: Coordinate, down: Coordinate, order: int) -> list[str]:
    """What is wrong with the factors and order alone, without looking at the source."""
    problems = []
    if order not in (0, 1):
        problems.append(
            f"interp_order must be 0 (nearest) or 1 (linear / block mean), got {order}; "
            f"higher-order splines need a global prefilter and cannot be read block by block"
        )
    for what, factors in (("upsample", up), ("downsample", down)):
        if any(f < 0 for f in factors):
            problems.append(
                f"{what} {format_coordinate(factors)} has a negative factor; factors are "
                f"whole numbers >= 1 (1, or 0, leaves an axis unchanged)"
            )
    if up.dims != down.dims:
        problems.append(
            f"upsample {format_coordinate(up)} and downsample {format_coordinate(down)} have "
            f"different lengths; give one factor per spatial axis in both"
        )
        return problems
    both = [i for i, (u, d) in enumerate(zip(up, down, strict=True)) if u > 1 and d > 1]
    for i in both:
        problems.append(
            f"spatial axis {i} is both upsampled ({up[i]}) and downsampled ({down[i]}); "
            f"resample each axis in one direction only (set one of the two factors to 1)"
        )
    return problems


def source_problems(up: Coordinate, down: Coordinate, order: int, source: Array) -> list[str]:
    """What is wrong with resampling ``source`` by these factors (metadata only, no voxels)."""
    axes, voxel_size = source.spatial_axes, source.voxel_size
    if up.dims != len(axes) or down.dims != len(axes):
        return [
            f"upsample {format_coordinate(up)} and downsample {format_coordinate(down)} need "
            f"one factor per spatial axis of the source {axes}"
        ]
    problems = []
    for axis, s, u in zip(axes, voxel_size, effective_factors(up), strict=True):
        if s % u:
            divisors = [f for f in range(2, s + 1) if s % f == 0]
            problems.append(
                f"upsample {u} on axis {axis!r} does not divide the source voxel size {s} "
                f"(voxel size {s}/{u} is not whole); use a factor that divides {s}"
                + (f", e.g. {divisors[:3]}" if divisors else " (only 1 does)")
            )
    if order >= 1 and source.is_labels:
        problems.append(
            f"interp_order {order} blends values, but the source ({source.dtype}) holds labels "
            f"or a mask (is_labels is True), and blending invents ids; use interp_order 0 "
            f"(nearest) for labels, or set is_labels=False on the stored config if these "
            f"values are intensities"
        )
    if not problems and target_roi(source, up, down).empty:
        problems.append(
            f"the source ROI {format_roi(source.roi)} holds no whole voxel of size "
            f"{format_coordinate(target_voxel_size(source, up, down))}; use smaller factors"
        )
    return problems


def target_voxel_size(source: Array, up: Coordinate, down: Coordinate) -> Coordinate:
    up, down = effective_factors(up), effective_factors(down)
    return Coordinate(s * d // u for s, u, d in zip(source.voxel_size, up, down, strict=True))


def target_roi(source: Array, up: Coordinate, down: Coordinate) -> Roi:
    roi: Roi = source.roi.snap_to_grid(target_voxel_size(source, up, down), mode="shrink")
    return roi


def matching_levels(
    levels: list[tuple[str, Coordinate, Coordinate]], voxel_size: Coordinate, exclude: str
) -> list[str]:
    """Dataset paths of the pyramid levels at ``voxel_size``, other than ``exclude``."""
    return [
        path
        for path, size, _ in levels
        if Coordinate(size) == voxel_size and path.strip("/") != exclude.strip("/")
    ]


# -- the array --------------------------------------------------------------------------------


class ResampledArray(VirtualArray):
    """A source array resampled to ``voxel_size = source.voxel_size * downsample / upsample``.

    See the module docstring for where sample points sit and how borders are handled.
    """

    def __init__(self, array_config: ResampledArrayConfig) -> None:
        if isinstance(array_config, Array):
            raise TypeError(
                "ResampledArray is built from a ResampledArrayConfig (it needs the factors), "
                f"got {array_config!r}; use ResampledArrayConfig(...).create_array()"
            )
        super().__init__(array_config)
        self.upsample = effective_factors(array_config.upsample)
        self.downsample = effective_factors(array_config.downsample)
        self.interp_order = array_config.interp_order
        problems = factor_problems(
            array_config.upsample, array_config.downsample, self.interp_order
        ) or source_problems(self.upsample, self.downsample, self.interp_order, self.source)
        if problems:
            raise ConfigError(
                f"cannot resample {self.source._label()} for {self._label()}:\n  "
                + "\n  ".join(problems)
            )
        self.spec = attrs.evolve(
            self.spec,
            voxel_size=target_voxel_size(self.source, self.upsample, self.downsample),
            roi=target_roi(self.source, self.upsample, self.downsample),
            is_labels=False if self.interp_order else self.source.is_labels,
        )
        self._level_path, self._level = self._pyramid_level()
        # Nearest downsampling without upsampling: each output voxel is one source voxel, and
        # the source request of a ROI is the ROI itself (see ``_source_request``), covering
        # whole runs of ``downsample`` voxels.
        self._picks = self.interp_order == 0 and all(u == 1 for u in self.upsample)

    def _pyramid_level(self) -> tuple[str | None, Array | None]:
        source = self.source
        if self._config is None or not self._config.use_pyramid:  # type: ignore[attr-defined]
            return None, None
        levels = getattr(source, "multiscale_levels", [])
        if not levels or self.voxel_size == source.voxel_size:
            return None, None
        from .zarr_array_config import ZarrArrayConfig

        container = source.file_name  # type: ignore[attr-defined]
        for path in matching_levels(levels, self.voxel_size, getattr(source, "dataset", "")):
            level = ZarrArrayConfig(
                name=self.name, file_name=container, dataset=path, mode="r"
            ).create_array()
            same = (level.axes, level.dtype, level.num_channels) == (
                source.axes,
                source.dtype,
                source.num_channels,
            )
            method = level.attrs.get(PYRAMID_METHOD_ATTR)
            same = same and method == METHOD_OF_ORDER[self.interp_order]
            if same and level.voxel_size == self.voxel_size and level.roi.contains(self.roi):
                return path, level
        return None, None

    @property
    def attrs(self) -> dict[str, Any]:
        found = dict(self.source.attrs)
        if self._level_path is not None:
            found[PYRAMID_ATTR] = self._level_path
        return found

    @property
    def scale(self) -> tuple[float, ...]:
        """``upsample / downsample`` per axis (1.0 for channels): the rescaling factor."""
        spatial = [u / d for u, d in zip(self.upsample, self.downsample, strict=True)]
        return (1.0,) * (len(self.axes) - self.dims) + tuple(spatial)

    def _read(self, roi: Roi) -> np.ndarray:
        if self._level is not None:
            return self._level[roi]
        if self._picks:  # nearest, downsampling only: read just the voxels kept
            picked = self.source._read_nearest(roi, self.downsample)
            if picked is not None:
                return picked
        request, pads, crops = self._source_request(roi)
        return self._resampled(self.source[request], pads, crops)

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        if self._level is not None:
            return self._level.read_async(roi)
        if self._picks:
            picked = self.source._read_nearest_async(roi, self.downsample)
            if picked is not None:
                return picked
        request, pads, crops = self._source_request(roi)
        return then(self.source.read_async(request), self._resampled, pads, crops)

    def _resampled(
        self, values: np.ndarray, pads: list[tuple[int, int]], crops: list[slice]
    ) -> np.ndarray:
        """The source's ``values`` (read for ``_source_request``) resampled and cropped."""
        if any(p != (0, 0) for p in pads):
            values = np.pad(values, [(0, 0)] * (values.ndim - len(pads)) + pads, mode="edge")
        out = resample_block(values, self.upsample, self.downsample, self.interp_order)
        index = (slice(None),) * (out.ndim - len(crops)) + tuple(crops)
        return np.ascontiguousarray(out[index])

    def _source_request(self, roi: Roi) -> tuple[Roi, list[tuple[int, int]], list[slice]]:
        """The source ROI to read for ``roi``, the edge padding it then needs per spatial axis
        (context beyond the source ROI) and where ``roi`` lies in the resampled block."""
        source = self.source
        context = 1 if self.interp_order else 0
        begin, end, pads, crops = [], [], [], []
        for axis in range(self.dims):
            b, e = roi.begin[axis], roi.end[axis]
            s, u, t = source.voxel_size[axis], self.upsample[axis], self.voxel_size[axis]
            if u == 1:  # unchanged or downsampled: exactly the request (aligned to s)
                begin.append(b)
                end.append(e)
                pads.append((0, 0))
                crops.append(slice(0, (e - b) // t))
                continue
            first, stop = b // s - context, -(-e // s) + context
            low, high = source.roi.begin[axis] // s, source.roi.end[axis] // s
            begin.append(max(first, low) * s)
            end.append(min(stop, high) * s)
            pads.append((max(low - first, 0), max(stop - high, 0)))
            start = b // t - (first + context) * u  # outputs of source voxel b // s on
            crops.append(slice(start, start + (e - b) // t))
        return Roi(begin, Coordinate(end) - Coordinate(begin)), pads, crops

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name else ""
        level = f", read from pyramid level {self._level_path!r}" if self._level_path else ""
        return (
            f"ResampledArray({name}voxel_size={format_coordinate(self.voxel_size)}, "
            f"roi={format_roi(self.roi)}, dtype={self.dtype}, "
            f"upsample={format_coordinate(self.upsample)}, "
            f"downsample={format_coordinate(self.downsample)}, "
            f"interp_order={self.interp_order}, source={self.source!r}{level})"
        )
