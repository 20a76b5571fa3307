"""``Array``: the abstract base of every array, stored or computed on demand.

A kind declares the minimum: one frozen :class:`ArraySpec` (``axes``, ``voxel_size``,
``roi``, ``dtype``, ``num_channels``, ``is_labels``) set once in its constructor, its tuple of
``sources`` (empty for stored kinds), ``data`` and ``_read``. Everything else is derived here,
once: ``dims``, ``spatial_axes``, ``shape``, ``repr``, request validation in
``__getitem__``/``__setitem__`` (one fast path for the common valid request), ``_slices``,
pickling and ``to_dask``.

Decisions where the documented API contradicts itself (see ``docs/decisions.md``):

* ``axes`` is a ``list[str]`` such as ``["c", "z", "y", "x"]``; ``"c"`` is the only
  non-spatial axis and always comes first.
* ``dims`` is the number of *spatial* dimensions (an ``int``), equal to ``voxel_size.dims``
  and ``roi.dims``.
* ``num_channels`` is ``None`` exactly when there is no ``"c"`` axis.
* ``voxel_size`` is a :class:`funlib.geometry.Coordinate`, ``roi`` a
  :class:`funlib.geometry.Roi`, both in world units (nm); ``dtype`` is a ``numpy.dtype``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
from funlib.geometry import Coordinate, Roi

from ._geometry import check_request, format_coordinate, format_roi
from ._labels import labels_by_dtype
from ._limits import check_read
from ._storage.per_process import without_handles
from .errors import ReadOnlyError, ROIError

if TYPE_CHECKING:
    from concurrent.futures import Future

    import dask.array
    import funlib.persistence
    import neuroglancer
    import xarray

CHANNEL_AXIS = "c"


def _labels_of_dtype(spec: ArraySpec) -> bool | None:
    return labels_by_dtype(spec.dtype)


def _to_axes(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(str(a) for a in value)


def _to_dtype(value: Any) -> np.dtype[Any]:
    dtype: np.dtype[Any] = np.dtype(value)
    return dtype


def _to_coordinate(value: Any) -> Coordinate:
    return Coordinate(value)


@attrs.frozen
class ArraySpec:
    """What an array is, as one value: a kind builds it once, a virtual kind ``evolve``s its
    source's (``attrs.evolve(source.spec, dtype=np.dtype("uint8"), is_labels=True)``).

    ``is_labels`` defaults to what the dtype says (``_labels.labels_by_dtype``); give it when
    the kind knows better. The spec checks its own consistency: a bug in a kind (axes that
    disagree with the voxel size, ``num_channels`` without a ``c`` axis) fails when it is
    built, not on the first read.

    >>> spec = ArraySpec(["c", "z", "y", "x"], Coordinate(4, 4, 4), Roi((0, 0, 0), (8, 8, 8)),
    ...                  "uint8", num_channels=2)
    >>> spec.shape, spec.is_labels
    ((2, 2, 2, 2), None)
    """

    axes: tuple[str, ...] = attrs.field(converter=_to_axes)
    voxel_size: Coordinate = attrs.field(converter=_to_coordinate)
    roi: Roi
    dtype: np.dtype[Any] = attrs.field(converter=_to_dtype)
    num_channels: int | None = None
    is_labels: bool | None = attrs.field(default=attrs.Factory(_labels_of_dtype, takes_self=True))
    # Plain-integer copies for the per-read fast path (Coordinate arithmetic costs more than
    # a small read); derived, never compared.
    _begin: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    _end: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)
    _voxel: tuple[int, ...] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        spatial = [a for a in self.axes if a != CHANNEL_AXIS]
        has_c = CHANNEL_AXIS in self.axes
        if (
            (has_c and self.axes[0] != CHANNEL_AXIS)
            or len(spatial) + has_c != len(self.axes)
            or len(spatial) != self.voxel_size.dims
            or self.roi.dims != self.voxel_size.dims
            or has_c != (self.num_channels is not None)
        ):
            raise ValueError(
                f"inconsistent ArraySpec: axes {list(self.axes)}, voxel size "
                f"{tuple(self.voxel_size)}, ROI {self.roi}, num_channels {self.num_channels}; "
                f"'c' comes first and only with num_channels, one voxel size and ROI entry per "
                f"spatial axis (this is a bug in the kind that built it)"
            )
        object.__setattr__(self, "_begin", tuple(int(b) for b in self.roi.begin))
        object.__setattr__(self, "_end", tuple(int(e) for e in self.roi.end))
        object.__setattr__(self, "_voxel", tuple(int(v) for v in self.voxel_size))

    @property
    def spatial_axes(self) -> list[str]:
        return [a for a in self.axes if a != CHANNEL_AXIS]

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of a read of the whole ROI."""
        return self.request_shape(self.roi)

    def request_shape(self, roi: Roi) -> tuple[int, ...]:
        """The shape of a read of an aligned ``roi``: channels first, then voxels per axis."""
        spatial = tuple(int(s) // v for s, v in zip(roi.shape, self._voxel, strict=True))
        return spatial if self.num_channels is None else (self.num_channels, *spatial)

    def fits(self, roi: Any) -> bool:
        """Whether ``roi`` is a valid request: a Roi aligned to the voxel size, inside ``roi``.

        The fast check every read passes; anything it refuses goes through the full check
        (``_geometry.check_request``), which says what is wrong.
        """
        if not isinstance(roi, Roi):
            return False
        offset, shape = roi.offset, roi.shape
        return len(offset) == len(self._voxel) and all(
            o is not None
            and s is not None
            and o % v == 0
            and s % v == 0
            and s > 0
            and b <= o
            and o + s <= e
            for o, s, v, b, e in zip(
                offset, shape, self._voxel, self._begin, self._end, strict=True
            )
        )

    def slices(self, roi: Roi, origin: tuple[int, ...] | None = None) -> tuple[slice, ...]:
        """Index of an aligned ``roi`` into data whose voxel 0 sits at world ``origin``
        (default: the ROI's begin): channels whole, spatial axes cut."""
        start = self._begin if origin is None else origin
        spatial = tuple(
            slice((b - o) // v, (b - o + s) // v)
            for b, s, o, v in zip(roi.offset, roi.shape, start, self._voxel, strict=True)
        )
        return (slice(None),) * (len(self.axes) - len(spatial)) + spatial


class Array(ABC):
    """A lazily read, ROI-addressed array in world units.

    ``array[roi]`` returns a fresh ``numpy.ndarray`` of shape
    ``(num_channels,) + roi.shape / voxel_size`` (no leading channel dimension when the
    array has no ``"c"`` axis). ``roi`` must be voxel-aligned and inside ``array.roi``,
    otherwise :class:`~.errors.ROIError` (a ``ValueError``) names both ROIs and the voxel
    size. ``array[roi] = values`` writes, for writable arrays only.
    """

    name: str = ""
    #: What this array is (set once by the kind's constructor).
    spec: ArraySpec
    #: The arrays this one is computed from, in order (empty for stored arrays).
    sources: tuple[Array, ...] = ()

    # -- what a kind declares ---------------------------------------------------------------

    @property
    @abstractmethod
    def data(self) -> Any:
        """A numpy-like view of the stored voxels (stored arrays only).

        Arrays computed on demand raise :class:`~.errors.VirtualArrayError`.
        """

    @abstractmethod
    def _read(self, roi: Roi) -> np.ndarray:
        """Return the voxels of an already validated ``roi`` (see ``__getitem__``)."""

    @property
    def attrs(self) -> dict[str, Any]:
        """Metadata attributes of this array (``{}`` unless a kind has some)."""
        return {}

    @property
    def writable(self) -> bool:
        """Whether ``array[roi] = values`` is allowed."""
        return False

    def _write(self, roi: Roi, value: np.ndarray) -> None:
        raise ReadOnlyError(f"{self._label()} is not writable")

    # -- derived from the spec --------------------------------------------------------------

    @property
    def axes(self) -> list[str]:
        """Axis names as indexed, e.g. ``["c", "z", "y", "x"]``; ``"c"`` first if present."""
        return list(self.spec.axes)

    @property
    def voxel_size(self) -> Coordinate:
        """The size of one voxel in world units (nm), one entry per spatial axis."""
        return self.spec.voxel_size

    @property
    def roi(self) -> Roi:
        """The region this array covers, in world units; aligned with ``voxel_size``."""
        return self.spec.roi

    @property
    def dtype(self) -> np.dtype[Any]:
        """The ``numpy.dtype`` of what ``array[roi]`` returns."""
        return self.spec.dtype

    @property
    def num_channels(self) -> int | None:
        """Number of channels, or ``None`` when there is no ``"c"`` axis."""
        return self.spec.num_channels

    @property
    def is_labels(self) -> bool | None:
        """``True`` for label ids or masks, ``False`` for intensities, ``None`` if unknown.

        The one rule every consumer asks (pyramids, resampling, neuroglancer, gunpowder,
        xarray); see ``_labels``. Kinds decide it once, in their spec: a config's
        ``is_labels``, stored metadata, what a computation produces, else the dtype's answer
        (bool and 32/64-bit integers are labels, floats intensities, ``uint8``/``uint16``
        unknown).
        """
        return self.spec.is_labels

    @property
    def spatial_axes(self) -> list[str]:
        """The axes that have a voxel size: all but ``"c"``."""
        return self.spec.spatial_axes

    @property
    def dims(self) -> int:
        """The number of spatial dimensions."""
        return len(self.spec.voxel_size)

    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of ``array[array.roi]``."""
        return self.spec.shape

    #: World position of voxel 0 of ``data`` where it is not ``roi.begin`` (a snapped ROI).
    _origin: tuple[int, ...] | None = None

    def _verify(self) -> None:  # noqa: B027 (a hook: most kinds check nothing more)
        """What ``verify()`` checks beyond building (e.g. a stored kind opens its handle)."""

    @property
    def _data_origin(self) -> Coordinate:
        """World position of voxel 0 of ``data`` (differs from ``roi.begin`` when snapped)."""
        return self.roi.begin if self._origin is None else Coordinate(self._origin)

    def _slices(self, roi: Roi) -> tuple[slice, ...]:
        """Index of an aligned ``roi`` into ``data``: channels whole, spatial axes cut."""
        return self.spec.slices(roi, self._origin)

    def _request_shape(self, roi: Roi) -> tuple[int, ...]:
        return self.spec.request_shape(roi)

    def _check(self, roi: Any) -> Roi:
        """``roi`` if it is a valid request, else :class:`ROIError` saying what is wrong."""
        if self.spec.fits(roi):
            return roi
        return check_request(roi, array_roi=self.roi, voxel_size=self.voxel_size, name=self.name)

    def _checked_request(self, roi: Roi) -> Roi:
        if not isinstance(roi, Roi):
            raise ROIError(
                f"{self._label()} is indexed by a funlib.geometry.Roi in world units, "
                f"got {roi!r}; use array[Roi(offset, shape)] (or array.data[...] for voxels)"
            )
        roi = self._check(roi)
        check_read(self, roi, self._request_shape(roi), self.dtype)  # before any allocation
        return roi

    def __getitem__(self, roi: Roi) -> np.ndarray:
        """Read the voxels of ``roi`` (world units, voxel-aligned, inside ``self.roi``)."""
        roi = self._checked_request(roi)
        out = self._read(roi)
        expected = self.spec.request_shape(roi)
        if out.shape != expected:
            raise RuntimeError(
                f"{self._label()} returned shape {out.shape} for ROI {format_roi(roi)}, "
                f"expected {expected}: this is a bug in {type(self).__name__}"
            )
        return out

    # -- reads in flight (``_reads``) ---------------------------------------------------------

    def read_async(self, roi: Roi) -> Future[np.ndarray]:
        """``self[roi]`` as a :class:`concurrent.futures.Future`, returned before the voxels
        are read. The request is checked at once (an invalid ROI raises here); a read that
        fails later raises from ``future.result()``. Thread-safe; see ``read_many``.
        """
        from . import _reads

        return _reads.read_async(self, roi)

    def read_many(
        self, rois: Iterable[Roi], *, in_flight: int = 64, return_exceptions: bool = False
    ) -> Iterator[np.ndarray | BaseException]:
        """``self[roi]`` for every ``roi``, in order, at most ``in_flight`` reads at once.

        A failed read raises at its position, or is yielded as its exception with
        ``return_exceptions=True``.
        """
        from . import _reads

        return _reads.read_many(
            self, rois, in_flight=in_flight, return_exceptions=return_exceptions
        )

    def _read_nearest(self, roi: Roi, factor: Coordinate) -> np.ndarray | None:
        """Voxel ``f // 2`` of every run of ``f`` voxels along each spatial axis of a validated
        ``roi`` (whose shape is a multiple of ``factor`` voxels), i.e. what nearest
        downsampling by ``factor`` keeps, read without the other voxels; ``None`` (the
        default) where the kind cannot read fewer voxels than the whole ``roi``."""
        return None

    def _read_nearest_async(self, roi: Roi, factor: Coordinate) -> Future[np.ndarray] | None:
        """:meth:`_read_nearest` as a future (``None`` where the kind has no such read)."""
        return None

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        """Start reading an already validated ``roi``. The default runs ``_read`` on the
        reads' thread pool; stored kinds hand the read to their storage engine, virtual kinds
        chain their computation to their sources' ``read_async`` (``_reads.then``)."""
        from . import _reads

        return _reads.submit(self._read, roi)

    def __setitem__(self, roi: Roi, value: Any) -> None:
        """Write ``value`` (an array of the request's shape, or a scalar) into ``roi``."""
        if not self.writable:
            raise ReadOnlyError(
                f"cannot write to {self._label()}: it is read-only ({self._why_read_only()})"
            )
        roi = self._check(roi)
        expected = self._request_shape(roi)
        array = np.asarray(value)
        if array.ndim == 0 and not isinstance(value, np.ndarray | np.generic):
            array = self._python_scalar(value)
        if array.shape != expected:
            if array.ndim != 0:
                raise ValueError(
                    f"cannot write an array of shape {array.shape} into ROI {format_roi(roi)} "
                    f"of {self._label()}: the ROI holds {expected} voxels (voxel size "
                    f"{format_coordinate(self.voxel_size)}); pass an array of that shape"
                )
            array = np.broadcast_to(array, expected)
        if not np.can_cast(array.dtype, self.dtype, casting="same_kind"):
            raise TypeError(
                f"cannot write {array.dtype} values into {self._label()} of dtype "
                f"{self.dtype} without changing their kind; convert them with "
                f"values.astype({str(self.dtype)!r})"
            )
        self._write(roi, array)

    def _python_scalar(self, value: Any) -> np.ndarray:
        """A Python number as this array's dtype, if it fits exactly."""
        with np.errstate(all="ignore"):
            cast = np.asarray(value).astype(self.dtype)
        if cast.item() != value:
            raise TypeError(
                f"cannot write {value!r} into {self._label()} of dtype {self.dtype}: "
                f"it does not fit; write a value the dtype can hold"
            )
        return cast

    def _why_read_only(self) -> str:
        return "it is computed on demand from other arrays"

    def _label(self) -> str:
        return f"{type(self).__name__} {self.name!r}" if self.name else type(self).__name__

    # -- pickling: drop open handles, reopen lazily ----------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the handles a kind opens per process (``_storage.per_process``)."""
        return without_handles(self)

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    # -- interop and display ---------------------------------------------------------------

    def to_dask(
        self, chunks: tuple[int, ...] | None = None, *, force: bool = False
    ) -> dask.array.Array:
        """A dask array over ``self.roi`` whose every chunk is one ``self[roi]`` call.

        ``chunks`` are spatial chunk sizes in voxels (default: the storage chunks where the
        kind knows them, else 64 per axis); channels always form one chunk. A graph of more
        chunks than ``DACAPO_ARRAYS_MAX_BLOCKS`` is refused unless ``force``.
        """
        from ._dask import array_to_dask

        return array_to_dask(self, chunks, force=force)

    def to_funlib(self) -> funlib.persistence.Array:
        """A lazy ``funlib.persistence.Array`` (>= 0.6) over these voxels (``_funlib``)."""
        from ._funlib import to_funlib

        return to_funlib(self)

    def to_xarray(self) -> xarray.DataArray:
        """A lazy, dask-backed ``xarray.DataArray``: axes as dims, voxel-centre world
        coordinates in nm, the array's ``attrs`` (``_xarray``)."""
        from ._xarray import to_xarray

        return to_xarray(self)

    # -- neuroglancer: generic for every kind (logic in ``_neuroglancer``, imported on use) --

    def _can_neuroglance(self) -> bool:
        """Whether this array can be shown as a neuroglancer layer (bool/int/float dtypes)."""
        from ._neuroglancer import can_show

        return can_show(self)

    def _neuroglancer_source(self) -> neuroglancer.LocalVolume:
        """The layer's data source: chunks are served lazily, each one ``self[chunk_roi]``."""
        from ._neuroglancer import source

        return source(self)

    def _neuroglancer_layer(self) -> tuple[neuroglancer.Layer, dict[str, Any]]:
        """``(layer, kwargs)``, always: add it with ``state.layers.append(name=..., layer=layer,
        **kwargs)``.

        Labels without channels give a ``SegmentationLayer``, anything else an ``ImageLayer``
        with a contrast range (and one colour per channel); raises
        ``NotViewableError`` (a ``TypeError``) when ``_can_neuroglance()`` is False.
        """
        from ._neuroglancer import layer

        return layer(self)

    def _transform_matrix(self) -> list[list[float]]:
        """The source transform: identity plus a translation of ``roi.begin / voxel_size``."""
        from ._neuroglancer import transform_matrix

        return transform_matrix(self)

    def _output_dimensions(self) -> neuroglancer.CoordinateSpace:
        """Neuroglancer dimensions: spatial axes in nm at the voxel size, ``c^`` for channels."""
        from ._neuroglancer import output_dimensions

        return output_dimensions(self)

    def _source_name(self) -> str:
        """The layer name neuroglancer shows for this array."""
        return self.name or type(self).__name__

    def __repr__(self) -> str:
        name = f"{self.name!r}, " if self.name else ""
        channels = "" if self.num_channels is None else f", num_channels={self.num_channels}"
        return (
            f"{type(self).__name__}({name}axes={self.axes}, "
            f"voxel_size={format_coordinate(self.voxel_size)}, roi={format_roi(self.roi)}, "
            f"dtype={self.dtype}{channels})"
        )
