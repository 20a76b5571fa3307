"""``ZarrArray``: a dataset in a zarr (v2, v3) or N5 container, read and written by ROI.

Voxels go through tensorstore, straight into the array a read returns. Handles are opened
lazily, once per process, and dropped when pickling (tensorstore is not fork-safe). Metadata
is read once, when the array is built, through the same kvstore as the voxels (local paths,
``s3://``, ``gs://``, ``http(s)://``); see ``_storage/metadata.py`` for the conventions.
"""

from __future__ import annotations

from asyncio import CancelledError as TaskCancelled
from concurrent.futures import CancelledError
from typing import TYPE_CHECKING, Any

import numpy as np
import tensorstore as ts
from funlib.geometry import Coordinate, Roi

from ._daisy import DaisyArray
from ._data_view import StoreView
from ._geometry import format_coordinate, format_roi, to_coordinate
from ._labels import labels_by_attributes
from ._reads import from_tensorstore, shared
from ._storage import ome_ngff
from ._storage.chunk_files import check_chunk_files
from ._storage.chunk_layout import check_chunk_layout
from ._storage.chunks import not_a_chunk, wait_local, watch_local
from ._storage.codecs import readable
from ._storage.deadline import DeadlineError, cancel_after, settle
from ._storage.formats import N5, open_spec
from ._storage.inspect import inspect_array, read_parents
from ._storage.kvstore import Container, shared_context
from ._storage.metadata import read_geometry, resolve
from ._storage.nodes import Geometry, MetadataInput, Node
from ._storage.per_process import PerProcess
from ._storage.tserrors import translate
from ._storage.units import NM, NOTES, WORLD_UNIT, to_world, world_unit
from .array import CHANNEL_AXIS, Array, ArraySpec
from .errors import (
    ConfigError,
    GeometryError,
    IncompatibleDatasetError,
    MetadataError,
    ReadOnlyError,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .array_config import ArrayIdentifier
    from .zarr_array_config import ZarrArrayConfig

#: Accepted ``mode`` values: ``"r"`` reads only; the others read and write an existing
#: dataset (none of them truncates it).
MODES = ("r", "r+", "a", "w")


def check_mode(mode: str | None, name: str) -> str:
    """``mode`` (default ``"a"``) if it is one of :data:`MODES`."""
    mode = "a" if mode is None else mode
    if mode not in MODES:
        raise ConfigError(
            f"mode {mode!r} of ZarrArrayConfig {name!r} is not one of {', '.join(MODES)}; "
            f"use 'r' to read only or 'a' to read and write"
        )
    return mode


class ZarrArray(Array):
    """A stored array in a zarr / N5 container (local path or cloud URL)."""

    def __init__(self, array_config: ZarrArrayConfig) -> None:
        self._config = array_config
        self.name = array_config.name
        self.file_name = array_config.file_name
        self.dataset = array_config.dataset.strip("/")
        self.snap_to_grid = array_config.snap_to_grid
        self._mode = check_mode(array_config.mode, self.name)
        self._container = Container(self.file_name)
        stored = inspect_array(self._container, self.dataset, label=self._label())
        self._format = stored.fmt
        self._document = stored.document
        check_chunk_layout(stored.fmt.name, stored.document, self._local_folder)
        check_chunk_files(stored.fmt.name, stored.document, self._local_folder)
        self._info = stored.info
        array_key = f"{self.dataset}/{stored.fmt.array_key}".lstrip("/")
        self._open_metadata = readable(
            stored.fmt, stored.document, self._container.where(array_key)
        )
        self._attrs = stored.attrs
        self._label_nodes = (stored.attrs, *(p.attrs for p in stored.meta.parents))
        self._world = world_unit(array_config.world_unit)
        self._notes_from_config: tuple[str, ...] = ()
        resolved = resolve(
            self._read_geometry(stored.meta),
            stored.info.shape,
            array_config._axes,
            world=self._world,
            voxel_size=array_config.voxel_size,
            offset=array_config.offset,
        )
        self._notes = (*resolved.notes, *self._notes_from_config)
        self._origin = resolved.offset
        self._squeeze = resolved.squeeze
        self._shape = stored.info.shape[resolved.squeeze :]
        voxel_size, dims = resolved.voxel_size, resolved.voxel_size.dims
        stored_roi = Roi(self._origin, Coordinate(self._shape[-dims:]) * voxel_size)
        is_labels = array_config.is_labels
        if is_labels is None:
            is_labels = labels_by_attributes(self._label_nodes)
        self.spec = ArraySpec(
            resolved.axes,
            voxel_size,
            self._snapped(stored_roi, voxel_size),
            stored.info.dtype,
            num_channels=int(self._shape[0]) if resolved.axes[0] == CHANNEL_AXIS else None,
            **({} if is_labels is None else {"is_labels": is_labels}),
        )

    def _read_geometry(self, meta: MetadataInput) -> Geometry:
        """The stored geometry; metadata that cannot be read is not needed when the config
        states all of it (``voxel_size``, ``offset`` and ``axes``)."""
        try:
            return read_geometry(meta)
        except MetadataError as err:
            config = self._config
            if None in (config.voxel_size, config.offset, config._axes):
                raise
            self._notes_from_config = (f"stored metadata not used: {err}",)
            return Geometry(convention="ZarrArrayConfig", where=meta.array.where)

    def _snapped(self, roi: Roi, voxel_size: Coordinate) -> Roi:
        """``roi`` shrunk to ``snap_to_grid`` (lcm with the voxel size); the data origin stays."""
        if self.snap_to_grid is None:
            return roi
        grid = to_coordinate(self.snap_to_grid, "snap_to_grid")
        if grid.dims != voxel_size.dims:
            raise GeometryError(
                f"snap_to_grid {format_coordinate(grid)} of {self._label()} has {grid.dims} "
                f"entries, but the array has {voxel_size.dims} spatial axes; give one per "
                f"spatial axis"
            )
        snapped = roi.snap_to_grid(Coordinate(np.lcm(voxel_size, grid)), mode="shrink")
        if snapped.empty:
            raise GeometryError(
                f"snap_to_grid {format_coordinate(grid)} leaves nothing of the ROI "
                f"{format_roi(roi)} of {self._label()}; use a smaller grid"
            )
        return snapped

    # -- metadata ---------------------------------------------------------------------------

    @property
    def attrs(self) -> dict[str, Any]:
        """The dataset's user attributes (a copy; change them with :meth:`add_metadata`),
        plus ``dacapo_arrays:notes`` (what was read other than as written: snapped
        calibrations, centre-aligned levels) and ``dacapo_arrays:world_unit`` when not nm."""
        found = dict(self._attrs)
        if self._notes:
            found[NOTES] = list(self._notes)
        if self._world is not NM:
            found[WORLD_UNIT] = str(self._world)
        return found

    @property
    def world_unit(self) -> str:
        """What one world unit is (``"nm"`` unless the config says otherwise)."""
        return str(self._world)

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def writable(self) -> bool:
        return self._mode != "r" and self._container.writable

    def _why_read_only(self) -> str:
        if not self._container.writable:
            return f"{self._container.url!r} is served over HTTP, which is read-only"
        return "opened with mode 'r'; open it with ZarrArrayConfig(mode='a') to write"

    @property
    def storage_format(self) -> str:
        """How the dataset is stored: ``"zarr2"``, ``"zarr3"`` or ``"n5"``."""
        return self._format.name

    @property
    def chunk_shape(self) -> tuple[int, ...]:
        """Spatial shape of one stored chunk in voxels (of one shard for sharded zarr v3)."""
        return tuple(int(c) for c in self._info.chunks[-self.dims :])

    @property
    def multiscale_levels(self) -> list[tuple[str, Coordinate, Coordinate]]:
        """``(dataset, voxel_size, offset)`` of every level of this array's OME-NGFF
        multiscale (itself included, finest first as stored); ``[]`` outside a multiscale.

        Read afresh on every call, so levels created after this array was opened appear.
        Levels that cannot be opened as arrays are left out: a voxel size or offset that is
        not whole nanometres, or an offset off the level's voxel grid (centre-aligned pyramids).
        """
        parents = read_parents(self._container, self._format, self.dataset)
        node = Node(self.dataset, self._attrs, self._container.where(self.dataset))
        meta = MetadataInput(node, parents, self._info.shape, self._format.reversed_axes)
        found = ome_ngff.parse(meta)
        if found is None:
            return []
        levels = []
        for level in found.levels:
            try:
                voxel, offset = (
                    to_world(values, world=self._world, source=level.path, notes=[])
                    for values in (level.voxel_size, level.offset)
                )
            except MetadataError:
                continue
            if all(o % v == 0 for o, v in zip(offset, voxel, strict=True)):
                levels.append((level.path, Coordinate(voxel), Coordinate(offset)))
        return levels

    # -- voxels ---------------------------------------------------------------------------

    @PerProcess
    def _handle(self) -> ts.TensorStore:
        """The tensorstore handle of this process (opened on first use)."""
        spec = open_spec(
            self._container, self._format, self.dataset, self._document, self._open_metadata
        )
        options: dict[str, Any] = {"read": True, "write": self.writable}
        if "metadata" in spec:
            options.update(open=True, assume_metadata=True)
        try:
            opening = ts.open(spec, context=shared_context(), **options)
            handle: ts.TensorStore = settle(opening, remote=not self._container.is_local)
        except (ValueError, TimeoutError) as err:
            raise translate(err, f"cannot open {self._label()} in {self._where()}") from err
        if self._format.reversed_axes:
            handle = handle.T
        return handle[(0,) * self._squeeze] if self._squeeze else handle

    def _where(self) -> str:
        return repr(self._container.where(self.dataset))

    def _verify(self) -> None:
        """Open the handle as a read does (codecs included), reading no voxel."""
        self.tensorstore  # noqa: B018 (opening is the check)

    @property
    def tensorstore(self) -> ts.TensorStore:
        """The tensorstore handle of this process, in ``axes`` order (N5 already z, y, x):
        slice it lazily, ``.read()`` / ``.write()`` it asynchronously."""
        return self._handle

    @property
    def _daisy_array(self) -> DaisyArray:
        """funlib-style access (``roi``, ``voxel_size``, ``chunk_shape``, ``to_ndarray``)."""
        return DaisyArray(self)

    @property
    def data(self) -> StoreView:
        """A numpy-like view in ``axes`` order: ``data[...]`` reads a ``numpy.ndarray``,
        ``data[...] = values`` writes, ``np.asarray(data)`` reads everything; ``shape``,
        ``dtype``, ``ndim``, ``chunks``. The raw handle is :attr:`tensorstore`."""
        return StoreView(self)

    def _read(self, roi: Roi) -> np.ndarray:
        return self._read_index(roi, self._slices(roi))

    def _read_nearest(self, roi: Roi, factor: Coordinate) -> np.ndarray:
        """Only the voxels nearest downsampling by ``factor`` keeps (tensorstore strides)."""
        return self._read_index(roi, self._strided(roi, factor))

    def _read_index(self, roi: Roi, index: tuple[slice, ...]) -> np.ndarray:
        what = f"cannot read ROI {format_roi(roi)} of {self}"
        try:
            box = self._handle[index]
            if self._container.is_local:
                out: np.ndarray = wait_local(box.read(), self._local_folder, what)
                return out
            nbytes = box.size * box.dtype.numpy_dtype.itemsize
            read: np.ndarray = settle(box.read(), remote=True, nbytes=nbytes)
            return read
        except (ValueError, TimeoutError) as err:
            raise translate(err, what) from err

    def _strided(self, roi: Roi, factor: Coordinate) -> tuple[slice, ...]:
        """``_slices(roi)`` keeping voxel ``f // 2`` of every ``f`` along each spatial axis."""
        index = self._slices(roi)
        lead = len(index) - len(factor)
        picked = (
            slice(s.start + f // 2, s.stop, f) for s, f in zip(index[lead:], factor, strict=True)
        )
        return (*index[:lead], *picked)

    @property
    def _local_folder(self) -> str | None:
        """The dataset's folder when it is local (see ``_storage.chunks``)."""
        if not self._container.is_local:
            return None
        return str(self._container.spec["path"]) + self.dataset

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        """Handed to tensorstore without waiting; its errors translated as ``_read``'s."""
        key = (self._container.url, self.dataset, tuple(roi.begin), tuple(roi.shape))
        return shared(key, lambda: self._start_read(roi, self._slices(roi)))

    def _read_nearest_async(self, roi: Roi, factor: Coordinate) -> Future[np.ndarray]:
        """:meth:`_read_nearest`, handed to tensorstore without waiting."""
        where = (tuple(roi.begin), tuple(roi.shape), tuple(factor))
        key = (self._container.url, self.dataset, *where)
        return shared(key, lambda: self._start_read(roi, self._strided(roi, factor)))

    def _start_read(self, roi: Roi, index: tuple[slice, ...]) -> Future[np.ndarray]:
        def what() -> str:  # only when a read fails: a sample issues many reads
            return f"cannot read ROI {format_roi(roi)} of {self}"

        try:
            box = self._handle[index]
            read = box.read()
        except ValueError as err:
            raise translate(err, what()) from err
        if self._container.is_local:  # a FIFO in place of a chunk: an error, not a hang
            special = watch_local(read, str(self._local_folder))

            def local_failed(err: BaseException) -> BaseException:
                return not_a_chunk(what(), special[0]) if special else translate(err, what())

            return from_tensorstore(read, local_failed)
        seconds = cancel_after(read, box.size * box.dtype.numpy_dtype.itemsize)

        def failed(err: BaseException) -> BaseException:  # cancelled: the deadline passed
            late = isinstance(err, CancelledError | TaskCancelled) or "CANCELLED" in str(err)
            return translate(DeadlineError(seconds) if late else err, what())

        return from_tensorstore(read, failed)

    def _write(self, roi: Roi, value: np.ndarray) -> None:
        try:
            writing = self._handle[self._slices(roi)].write(value)
            settle(writing, remote=not self._container.is_local, nbytes=value.nbytes)
        except (ValueError, TimeoutError) as err:
            raise translate(err, f"cannot write ROI {format_roi(roi)} of {self}") from err

    # -- creating and opening by identifier -------------------------------------------------

    @classmethod
    def create_from_array_identifier(
        cls,
        array_identifier: ArrayIdentifier,
        axes: list[str],
        roi: Roi,
        num_channels: int | None,
        voxel_size: Any,
        dtype: Any,
        write_size: Any = None,
        name: str | None = None,
        overwrite: bool = False,
        *,
        mode: str = "a",
        shard_shape: Any = None,
    ) -> ZarrArray:
        """Create (or reuse) a dataset and return it as a ``ZarrArray``.

        DaCapo's call shape: ``write_size`` is the 7th positional argument; ``mode`` (and any
        newer option) is keyword-only.

        ``num_channels`` None or 1 stores no ``c`` axis; more stores ``c`` first. Chunks are
        ``write_size / voxel_size`` (default a power-of-two cube of about 2 MiB, 128³ for
        uint8); zarr v3 datasets group them into shards of ``shard_shape`` voxels (whole
        chunks) when it is given. An existing dataset is replaced
        with ``overwrite=True``, otherwise reused if it matches (shape, dtype, voxel size,
        offset, axes) and refused with :class:`IncompatibleDatasetError` listing the
        differences. The format is the identifier's ``format`` (``"zarr2"``, ``"zarr3"``,
        ``"n5"``), else the container's, else N5 for ``*.n5`` and zarr v2 otherwise.
        ``roi`` and ``voxel_size`` are in the identifier's ``world_unit`` (default nm); the
        metadata stores them in nm, exactly (5.24 nm for 524 in ``"0.01 nm"``).
        """
        from ._storage.create import prepare
        from ._storage.layout import Layout, layout_for
        from .zarr_array_config import ZarrArrayConfig

        layout = layout_for(axes, roi, num_channels, voxel_size, dtype, write_size, shard_shape)
        requested = getattr(array_identifier, "format", None)
        container = Container(array_identifier.container)
        dataset = array_identifier.dataset.strip("/")
        world = getattr(array_identifier, "world_unit", None)
        prepare(
            container,
            dataset,
            layout,
            fmt=requested,
            overwrite=overwrite,
            world=world_unit(world, field="ArrayIdentifier.world_unit"),
        )
        array = cls(
            ZarrArrayConfig(
                name=name or "",
                file_name=array_identifier.container,
                dataset=dataset,
                mode=mode,
                world_unit=world,
            )
        )
        found = Layout(array.axes, array._shape, (), array.dtype, array.voxel_size, array.roi)
        differences = layout.differences(found, requested, array._format.name)
        if differences:
            raise IncompatibleDatasetError(
                f"dataset {dataset!r} in {container.url!r} exists and differs from the "
                f"requested one ({'; '.join(differences)}); pass overwrite=True to replace it, "
                f"or write to another dataset"
            )
        return array

    @classmethod
    def open_from_array_identifier(
        cls, array_identifier: ArrayIdentifier, name: str = ""
    ) -> ZarrArray:
        """Open an existing dataset (read and write)."""
        from .zarr_array_config import ZarrArrayConfig

        return cls(
            ZarrArrayConfig(
                name=name,
                file_name=array_identifier.container,
                dataset=array_identifier.dataset,
                world_unit=getattr(array_identifier, "world_unit", None),
            )
        )

    def add_metadata(self, metadata: dict[str, Any]) -> None:
        """Merge ``metadata`` into the dataset's attributes and persist them.

        The geometry of this (already open) array does not change; reopen it to read new
        ``resolution``/``offset`` attributes.
        """
        from ._storage.create import write_attributes
        from ._storage.n5 import RESERVED

        if not self.writable:
            raise ReadOnlyError(f"cannot add metadata to {self._label()}: {self._why_read_only()}")
        clash = sorted(RESERVED & set(metadata)) if self._format is N5 else []
        if clash:
            raise MetadataError(
                f"cannot add attributes {clash} to N5 dataset {self._where()}: N5 keeps the "
                f"array's own metadata under those keys; choose other names"
            )
        write_attributes(self._container, self._format, self.dataset, dict(metadata))
        self._attrs.update(metadata)

    def __repr__(self) -> str:
        return f"ZarrArray({self.file_name}, {self.dataset})"

    __str__ = __repr__
