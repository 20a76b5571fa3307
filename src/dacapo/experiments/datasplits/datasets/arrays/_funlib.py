"""The bridge to ``funlib.persistence`` (>= 0.6): ``Array.to_funlib()``, ``ArrayConfig.array()``.

Code written for dacapo-ml >= 0.3.5 and for funlib gets a ``funlib.persistence.Array``
(``roi``, ``voxel_size``, ``offset``, ``axis_names``, ``units``, ``to_ndarray``, ``[roi]``),
lazy: nothing is read until it is indexed. A stored zarr / N5 array is handed over as its
``data`` view, so writes through the funlib array reach the store; every other kind as its
``to_dask()`` (read-only). Install with ``pip install 'dacapo-arrays[funlib]'``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from .errors import ReadOnlyError

if TYPE_CHECKING:
    import funlib.persistence

    from .array import Array
    from .array_config import ArrayConfig


def _funlib_persistence() -> Any:
    try:
        import funlib.persistence
    except ImportError as err:
        raise ImportError(
            "Array.to_funlib() and ArrayConfig.array() need funlib.persistence >= 0.6; "
            "install it with pip install 'dacapo-arrays[funlib]'"
        ) from err
    return funlib.persistence


def to_funlib(array: Array) -> funlib.persistence.Array:
    """``array`` as a lazy ``funlib.persistence.Array`` over the same voxels."""
    fp = _funlib_persistence()
    types = ["channel" if axis == "c" else "space" for axis in array.axes]
    data, chunks = _source(array)
    return fp.Array(
        data,
        offset=tuple(array.roi.begin),
        voxel_size=tuple(array.voxel_size),
        axis_names=list(array.axes),
        types=types,
        units=["nm"] * array.dims,
        chunks=chunks,
    )


def _source(array: Array) -> tuple[Any, Any]:
    """The stored view where it covers exactly ``array.roi`` (writable), else dask."""
    from .zarr_array import ZarrArray

    if isinstance(array, ZarrArray) and array._data_origin == array.roi.begin:
        view = array.data
        if tuple(view.shape) == array.shape:
            return view, view.chunks
    lazy = array.to_dask()
    return lazy, lazy.chunks


def config_array(config: ArrayConfig, mode: str) -> funlib.persistence.Array:
    """``config``'s array opened with ``mode`` as a ``funlib.persistence.Array``."""
    if "mode" in attrs.fields_dict(type(config)):
        config = attrs.evolve(config, mode=mode)  # type: ignore[call-arg]
    array = config.create_array()
    if mode != "r" and not array.writable:
        raise ReadOnlyError(
            f"cannot open {array._label()} with mode {mode!r}: it is read-only "
            f"({array._why_read_only()}); open it with mode='r'"
        )
    return to_funlib(array)
