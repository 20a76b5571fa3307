"""Neuroglancer layers for any array, built from the metadata every array declares.

One generic path serves every kind, stored or virtual: the layer's data source is a
``neuroglancer.LocalVolume`` over :class:`VoxelSource`, which turns each chunk neuroglancer
asks for into ``array[roi]`` for exactly that chunk (never a whole-volume read), so a
virtual array shows its own computed values, not its source's.

What a layer looks like depends on ``array.is_labels`` and channels:

* no ``c`` axis, ``is_labels`` True (label ids or a mask of any integer or bool dtype): a
  segmentation layer (signed ids are shown as their unsigned bit pattern, bool as 0/1);
* no ``c`` axis, anything else (intensities, or ``is_labels`` unknown as for plain
  ``uint8``): a grayscale image layer whose contrast range comes from :func:`data_range`
  (one small central read);
* a ``c`` axis: an image layer whose shader gives every channel its own colour (evenly
  spaced hues) and adds them up, transparent where every channel is zero.

Dimensions are the spatial axes in nm with the voxel size as scale, plus ``c^`` (a
neuroglancer channel dimension) for channels; the source transform translates by
``roi.begin / voxel_size``, so layers of different voxel sizes and offsets line up.
"""

from __future__ import annotations

import colorsys
from typing import TYPE_CHECKING, Any

import neuroglancer
import numpy as np
from funlib.geometry import Coordinate, Roi
from neuroglancer.local_volume import MeshesNotSupportedForVolume

from ._storage.units import world_of
from .array import CHANNEL_AXIS
from .errors import NotViewableError

if TYPE_CHECKING:
    from .array import Array

#: World units of every spatial dimension (ZarrArray converts stored units to nm).
UNIT = "nm"
#: Neuroglancer's name for a channel dimension (the ``^`` makes it one).
CHANNEL_DIMENSION = "c^"
#: The unsigned dtype neuroglancer receives for a segmentation of each integer dtype.
SEGMENTATION_DTYPES: dict[np.dtype[Any], np.dtype[Any]] = {
    np.dtype(signed): np.dtype(unsigned)
    for signed, unsigned in (
        ("bool", "uint8"),
        ("int8", "uint8"),
        ("uint8", "uint8"),
        ("int16", "uint16"),
        ("uint16", "uint16"),
        ("int32", "uint32"),
        ("uint32", "uint32"),
        ("int64", "uint64"),
        ("uint64", "uint64"),
    )
}
#: Image dtypes neuroglancer cannot take as they are, and what they are converted to.
IMAGE_CONVERSIONS: dict[np.dtype[Any], np.dtype[Any]] = {
    np.dtype("bool"): np.dtype("uint8"),
    np.dtype("float16"): np.dtype("float32"),
    np.dtype("float64"): np.dtype("float32"),
    np.dtype("int64"): np.dtype("float32"),
    np.dtype("uint64"): np.dtype("float32"),
}
#: The contrast range of wider dtypes is estimated from a central block this many voxels wide.
SAMPLE_SIDE = 64


def can_show(array: Array) -> bool:
    """Whether ``array`` has a dtype and shape neuroglancer can show."""
    return array.dtype.kind in "biuf" and array.dims >= 1


def is_segmentation(array: Array) -> bool:
    """Whether ``array`` is shown as a segmentation: ``is_labels`` is True, no channels."""
    return (
        array.num_channels is None
        and array.is_labels is True
        and array.dtype in SEGMENTATION_DTYPES
    )


def served_dtype(array: Array) -> np.dtype[Any]:
    """The dtype neuroglancer receives for ``array``."""
    if is_segmentation(array):
        return SEGMENTATION_DTYPES[array.dtype]
    return IMAGE_CONVERSIONS.get(array.dtype, array.dtype)


def dimension_names(array: Array) -> list[str]:
    """Axis names for neuroglancer: ``c^`` for channels, the spatial axes as they are."""
    return [CHANNEL_DIMENSION if a == CHANNEL_AXIS else a for a in array.axes]


def output_dimensions(array: Array) -> neuroglancer.CoordinateSpace:
    """The layer's coordinate space: one dimension per axis, spatial ones in nm (world
    units other than nm, such as ``0.01 nm``, are converted)."""
    factor = float(world_of(array.attrs).nm)
    scales = iter(array.voxel_size)
    spatial = [a != CHANNEL_AXIS for a in array.axes]
    return neuroglancer.CoordinateSpace(
        names=dimension_names(array),
        units=[UNIT if s else "" for s in spatial],
        scales=[float(next(scales)) * factor if s else 1.0 for s in spatial],
    )


def transform_matrix(array: Array) -> list[list[float]]:
    """Rows of the ``rank x (rank + 1)`` source transform: identity, then the translation.

    The translation is ``roi.begin / voxel_size`` (in voxels of the output dimensions; it
    may be fractional), so voxel 0 of the served volume sits at ``roi.begin`` in the world.
    """
    offsets = iter(
        float(b) / float(v) for b, v in zip(array.roi.begin, array.voxel_size, strict=True)
    )
    rank = len(array.axes)
    rows = []
    for i, axis in enumerate(array.axes):
        row = [1.0 if j == i else 0.0 for j in range(rank)]
        row.append(0.0 if axis == CHANNEL_AXIS else next(offsets))
        rows.append(row)
    return rows


class VoxelSource:
    """What ``LocalVolume`` indexes: voxel slices in, ``array[roi]`` for just those out.

    Index 0 along each spatial axis is ``array.roi.begin``. Channels are read whole and then
    sliced. ``LocalVolume`` only ever calls ``__getitem__`` with in-bounds slices.
    """

    def __init__(self, array: Array) -> None:
        self.array = array
        self.shape = array.shape
        self.ndim = len(self.shape)
        self.dtype = served_dtype(array)

    def roi_of(self, index: tuple[slice, ...]) -> Roi:
        """The world ROI of the spatial part of ``index``."""
        spatial = index[len(index) - self.array.dims :]
        begin = Coordinate(int(s.start or 0) for s in spatial)
        end = Coordinate(
            int(n if s.stop is None else s.stop)
            for s, n in zip(spatial, self.shape[-self.array.dims :], strict=True)
        )
        voxel_size = self.array.voxel_size
        return Roi(self.array.roi.begin + begin * voxel_size, (end - begin) * voxel_size)

    def __getitem__(self, index: tuple[slice, ...]) -> np.ndarray:
        values = self.array[self.roi_of(index)]
        if self.array.num_channels is not None:
            values = values[index[0]]
        if values.dtype == self.dtype:
            return values
        if values.dtype.kind in "iu" and self.dtype.kind == "u":
            return values.view(self.dtype)
        return values.astype(self.dtype)


class ArrayVolume(neuroglancer.LocalVolume):  # type: ignore[misc]
    """A ``LocalVolume`` without meshes: meshing would read the whole volume."""

    def get_object_mesh(self, object_id: Any) -> Any:
        raise MeshesNotSupportedForVolume()


def source(array: Array) -> ArrayVolume:
    """The lazily served data source of ``array`` (voxel 0 at ``roi.begin``)."""
    return ArrayVolume(
        VoxelSource(array),
        dimensions=output_dimensions(array),
        volume_type="segmentation" if is_segmentation(array) else "image",
        voxel_offset=[0] * len(array.axes),
    )


def layer(array: Array) -> tuple[neuroglancer.Layer, dict[str, Any]]:
    """``(layer, kwargs)``: the layer, and keyword arguments for ``state.layers.append``."""
    if not array._can_neuroglance():
        raise NotViewableError(
            f"{array._label()} cannot be shown in neuroglancer: its dtype is {array.dtype} "
            f"with {array.dims} spatial dimensions; only bool, integer and float arrays with "
            f"at least one spatial axis can; convert it first"
        )
    data_source = neuroglancer.LayerDataSource(
        url=array._neuroglancer_source(),
        transform=neuroglancer.CoordinateSpaceTransform(
            output_dimensions=array._output_dimensions(), matrix=array._transform_matrix()
        ),
    )
    kwargs: dict[str, Any] = {"visible": True}
    if is_segmentation(array):
        return neuroglancer.SegmentationLayer(source=data_source), kwargs
    low, high = data_range(array)
    if array.num_channels is None:
        shader, opacity = grayscale_shader(low, high), 1.0
    else:
        shader, opacity = channel_shader(array.num_channels, low, high), 0.5
    return neuroglancer.ImageLayer(source=data_source, shader=shader, opacity=opacity), kwargs


def data_range(array: Array) -> tuple[float, float]:
    """The contrast range of an image layer, from one central block of the array.

    The block is at most ``SAMPLE_SIDE`` voxels per axis. Values inside ``[0, 1]`` (masks,
    ``bool``, probabilities) give ``(0, 1)``; floats inside ``[-1, 1]`` give ``(-1, 1)``;
    other 8-bit integers their dtype's whole range; anything else the 0.5 and 99.5
    percentiles of the block.
    """
    dtype = array.dtype
    sample = np.asarray(array[central_roi(array)], dtype=np.float64)
    sample = sample[np.isfinite(sample)]
    if sample.size == 0 or dtype.kind == "b":
        return 0, 1
    low, high = float(sample.min()), float(sample.max())
    if low >= 0 and high <= 1:
        return 0, 1
    if dtype.kind == "f" and low >= -1 and high <= 1:
        return -1, 1
    if dtype.kind in "iu" and dtype.itemsize == 1:
        info = np.iinfo(dtype)
        return int(info.min), int(info.max)
    low, high = (float(v) for v in np.percentile(sample, [0.5, 99.5]))
    if dtype.kind in "iu":
        low, high = float(np.floor(low)), float(np.ceil(high))
    if high <= low:
        high = low + 1
    return (int(low), int(high)) if dtype.kind in "iu" else (low, high)


def central_roi(array: Array, side: int = SAMPLE_SIDE) -> Roi:
    """A voxel-aligned block of at most ``side`` voxels per axis at the centre of the array."""
    voxel_size = array.voxel_size
    extent = array.roi.shape / voxel_size
    shape = Coordinate(min(int(e), side) for e in extent)
    begin = array.roi.begin + ((extent - shape) // 2) * voxel_size
    return Roi(begin, shape * voxel_size)


def grayscale_shader(low: float, high: float) -> str:
    """An image shader mapping ``[low, high]`` to black..white (adjustable in the UI)."""
    return (
        f"#uicontrol invlerp normalized(range=[{low}, {high}])\n"
        "void main() {\n"
        "  emitGrayscale(normalized());\n"
        "}\n"
    )


def channel_colors(num_channels: int) -> list[str]:
    """Distinct colours, one per channel: evenly spaced hues (white for a single channel)."""
    if num_channels == 1:
        return ["#ffffff"]
    colors = []
    for i in range(num_channels):
        red, green, blue = colorsys.hsv_to_rgb(i / num_channels, 1.0, 1.0)
        colors.append(f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}")
    return colors


def channel_shader(num_channels: int, low: float, high: float) -> str:
    """An image shader adding up the channels, each in its own colour (adjustable in the UI).

    A pixel is as opaque as its brightest channel, so zero-valued regions stay transparent.
    """
    controls = []
    body = ["void main() {", "  vec3 rgb = vec3(0.0);", "  float alpha = 0.0;", "  float v;"]
    for i, color in enumerate(channel_colors(num_channels)):
        controls.append(f"#uicontrol invlerp channel{i}(range=[{low}, {high}], channel=[{i}])")
        controls.append(f'#uicontrol vec3 color{i} color(default="{color}")')
        body.append(f"  v = clamp(channel{i}(), 0.0, 1.0);")
        body.append(f"  rgb += v * color{i};")
        body.append("  alpha = max(alpha, v);")
    body += ["  emitRGBA(vec4(min(rgb, vec3(1.0)), alpha));", "}"]
    return "\n".join(controls + body) + "\n"
