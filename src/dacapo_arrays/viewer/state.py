"""The viewer state for a list of arrays: one layer each, lined up in world coordinates.

Every array contributes the layer its ``_neuroglancer_layer()`` returns (see the model's
``_neuroglancer`` module); this module only names the layers, picks the global coordinate
space (the finest voxel size per axis, in nm), and places the camera.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import Array, ArrayConfig, InStore
from dacapo.experiments.datasplits.datasets.arrays.tooling import world_of

if TYPE_CHECKING:
    import neuroglancer

#: Spatial axes in the order the global coordinate space lists them (others follow).
AXIS_ORDER = ("z", "y", "x")
#: Layouts ``view --layout`` accepts (neuroglancer's names).
LAYOUTS = ("4panel", "xy", "xz", "yz", "3d", "xy-3d", "xz-3d", "yz-3d")
#: The window size the camera is fitted to (and screenshots are taken at) by default.
DEFAULT_SIZE = (1024, 768)


class ViewerError(ValueError):
    """The arrays cannot be shown together (unshowable dtype, bad position, ...)."""


def load_arrays(paths: Sequence[str | os.PathLike[str]]) -> list[Array]:
    """The arrays the config files at ``paths`` describe (YAML, TOML or JSON)."""
    return [ArrayConfig.from_file(path).create_array() for path in paths]


def layer_names(arrays: Sequence[Array]) -> list[str]:
    """``_source_name()`` of each array, with `` (2)``, `` (3)``, ... added to repeats."""
    names: list[str] = []
    for array in arrays:
        base = array._source_name()
        name, n = base, 1
        while name in names:
            n += 1
            name = f"{base} ({n})"
        names.append(name)
    return names


def global_axes(arrays: Sequence[Array]) -> list[str]:
    """The spatial axes of all arrays: ``z``, ``y``, ``x`` first, others as they appear."""
    found = [a for array in arrays for a in array.spatial_axes]
    known = [a for a in AXIS_ORDER if a in found]
    return known + list(dict.fromkeys(a for a in found if a not in AXIS_ORDER))


def global_scales(arrays: Sequence[Array], axes: Sequence[str]) -> list[float]:
    """The finest voxel size (nm) along each axis, over the arrays that have it."""
    return [
        float(
            min(
                v
                for array in arrays
                for name, v in zip(array.spatial_axes, array.voxel_size, strict=True)
                if name == axis
            )
        )
        for axis in axes
    ]


def world_bounds(arrays: Sequence[Array], axes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Begin and end (nm) of the union of the arrays' ROIs, along ``axes``."""
    begin = np.full(len(axes), np.inf)
    end = np.full(len(axes), -np.inf)
    for array in arrays:
        roi: Roi = array.roi
        for name, b, e in zip(array.spatial_axes, roi.begin, roi.end, strict=True):
            i = axes.index(name)
            begin[i], end[i] = min(begin[i], b), max(end[i], e)
    return begin, end


def display_axes(axes: Sequence[str]) -> list[str]:
    """Horizontal, vertical and depth axes of the ``xy`` panel: ``x``, ``y``, ``z`` if present."""
    preferred = [a for a in ("x", "y", "z") if a in axes]
    return (preferred + [a for a in axes if a not in preferred])[:3]


def build_viewer(
    arrays: Sequence[Array],
    *,
    position: Sequence[float] | None = None,
    layout: str = "4panel",
    size: tuple[int, int] = DEFAULT_SIZE,
    sources: Sequence[str | neuroglancer.LayerDataSource | None] | None = None,
) -> neuroglancer.Viewer:
    """A viewer showing ``arrays``, centred on ``position`` (world nm, one per global axis).

    Start the server first (``neuroglancer.set_server_bind_address``) to choose where it
    listens. The camera is fitted so the union of the arrays fills a window of ``size``.
    ``sources`` (one per array, ``None`` for the generic one) replaces an array's data source
    by a URL (or a ``LayerDataSource`` with its transform) neuroglancer reads itself, e.g. a
    stored pyramid's (see :mod:`.files` and :mod:`.ome`).
    """
    import neuroglancer

    if not arrays:
        raise ViewerError("no arrays to show; pass at least one config file")
    names = dict(zip(map(id, arrays), layer_names(arrays), strict=True))
    urls = dict(zip(map(id, arrays), sources or [None] * len(arrays), strict=True))
    arrays = stacking_order(arrays)
    layers = [_layer_of(array, urls[id(array)]) for array in arrays]
    hidden = hidden_duplicates(arrays)
    axes = global_axes(arrays)
    scales = global_scales(arrays, axes)
    begin, end = world_bounds(arrays, axes)
    centre = (begin + end) / 2 if position is None else _check_position(position, axes)
    factor = _world_factor(arrays)
    viewer = neuroglancer.Viewer()
    with viewer.txn() as state:
        state.dimensions = neuroglancer.CoordinateSpace(
            names=axes, units="nm", scales=[s * factor for s in scales]
        )
        for array, (layer, kwargs), duplicate in zip(arrays, layers, hidden, strict=True):
            kwargs = {**kwargs, "visible": False} if duplicate else kwargs
            state.layers.append(name=names[id(array)], layer=layer, **kwargs)
        state.display_dimensions = display_axes(axes)
        state.layout = layout
        state.position = list(centre / np.asarray(scales))
        state.cross_section_scale = _fit_scale(
            (end - begin) / np.asarray(scales), axes, layout, size
        )
    return viewer


def _world_factor(arrays: Sequence[Array]) -> float:
    """Nanometres per world unit, the same for every array shown (``ZarrArrayConfig``'s
    ``world_unit``); arrays in different world units are refused, not mixed."""
    units = {str(world_of(array.attrs)): world_of(array.attrs) for array in arrays}
    if len(units) > 1:
        raise ViewerError(
            f"the arrays are in different world units ({', '.join(sorted(units))}); give "
            f"every config the same world_unit (e.g. '0.01 nm' for 5.24 nm data)"
        )
    return float(next(iter(units.values())).nm)


def stacking_order(arrays: Sequence[Array]) -> list[Array]:
    """Images first, labels and masks (``is_labels`` True) after, so they draw on top;
    otherwise in the order given."""
    return sorted(arrays, key=lambda array: array.is_labels is True)


def stores_of(array: Array) -> frozenset[tuple[str, str]]:
    """The stored datasets ``(container, dataset)`` an array reads, through its sources."""
    if isinstance(array, InStore):
        dataset = array.dataset
        return frozenset(
            {(str(array.file_name).rstrip("/"), dataset.rpartition("/")[0] or dataset)}
        )
    return frozenset().union(*(stores_of(source) for source in array.sources))


def hidden_duplicates(arrays: Sequence[Array]) -> list[bool]:
    """Which image layers to start hidden: those showing data an earlier image shows (the
    same stored dataset or pyramid, e.g. at another resolution), which would otherwise cover
    it opaquely. Labels are never hidden."""
    shown: set[tuple[str, str]] = set()
    hidden = []
    for array in arrays:
        stores = stores_of(array)
        duplicate = array.is_labels is not True and bool(stores & shown)
        if array.is_labels is not True and not duplicate:
            shown |= stores
        hidden.append(duplicate)
    return hidden


def _layer_of(
    array: Array, url: str | neuroglancer.LayerDataSource | None = None
) -> tuple[Any, dict[str, Any]]:
    if not array._can_neuroglance():
        raise ViewerError(
            f"{array!r} cannot be shown in neuroglancer (dtype {array.dtype}); only bool, "
            f"integer and float arrays can; remove it from the command"
        )
    layer, kwargs = array._neuroglancer_layer()
    if url is not None:
        layer.source = url_source(array, url)
    return layer, kwargs


def url_source(array: Array, url: str | neuroglancer.LayerDataSource) -> Any:
    """The data source of ``array`` read from ``url`` by neuroglancer itself.

    A source given with its transform is used as is (an OME-NGFF pyramid, see :mod:`.ome`).
    A zarr source places itself (OME-NGFF scale and translation). Neuroglancer's N5 source
    knows no offset and lists the axes reversed (``x``, ``y``, ``z``), so an N5 one gets
    the array's own translation, its columns in N5's order.
    """
    import neuroglancer

    if not isinstance(url, str):
        if url.transform is not None:
            return url
        url = str(url.url)
    if not url.startswith("n5://"):
        return url
    matrix = [[*row[-2::-1], row[-1]] for row in array._transform_matrix()]
    return neuroglancer.LayerDataSource(
        url=url,
        transform=neuroglancer.CoordinateSpaceTransform(
            output_dimensions=array._output_dimensions(), matrix=matrix
        ),
    )


def _check_position(position: Sequence[float], axes: Sequence[str]) -> np.ndarray:
    if len(position) != len(axes):
        raise ViewerError(
            f"position {','.join(str(p) for p in position)} has {len(position)} values but "
            f"the arrays have {len(axes)} spatial axes {','.join(axes)}; give one world "
            f"coordinate (nm) per axis, e.g. --position {','.join('0' for _ in axes)}"
        )
    return np.asarray(position, dtype=np.float64)


def _fit_scale(
    extent: np.ndarray, axes: Sequence[str], layout: str, size: tuple[int, int]
) -> float:
    """Global voxels per screen pixel so the union's in-plane extent fits one panel."""
    width, height = float(size[0]), float(size[1])
    if layout == "4panel":
        width, height = width / 2, height / 2
    elif layout.endswith("-3d"):
        width = width / 2
    shown = display_axes(axes)
    horizontal = extent[list(axes).index(shown[0])]
    vertical = extent[list(axes).index(shown[1])] if len(shown) > 1 else 0.0
    return float(max(horizontal / width, vertical / height, 1e-3) * 1.1)
