"""Creating datasets: the format to use, the chunking, the metadata and the plain attributes.

New datasets are compressed with blosc lz4 (level 5, byte shuffle), zarr-python's default:
it decompresses several times faster than zstd or gzip at a similar ratio on EM data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import tensorstore as ts
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays.errors import IncompatibleDatasetError

from .formats import FORMATS, N5, ZARR2, ZARR3, Format, classify, probe_keys
from .inspect import parents_of
from .kvstore import Container, Document, join, shared_context
from .layout import Layout
from .ome_ngff_write import add_to_multiscales
from .tserrors import translate
from .units import NM, WorldUnit, stored_nanometres

CHANNEL = "c"


def format_for(container: Container, requested: str | None) -> Format:
    """``requested``, or the format of an existing root, N5 for ``*.n5``, else zarr v2."""
    root = classify(container.read_jsons(probe_keys("")), "")
    existing = root[1] if root is not None else None
    if requested is not None:
        fmt = FORMATS[requested]
        if existing is not None and existing is not fmt:
            raise IncompatibleDatasetError(
                f"container {container.url!r} is a {existing.name} container; it cannot hold "
                f"a {fmt.name} dataset. Use another container, or format={existing.name!r}"
            )
        return fmt
    if existing is not None:
        return existing
    return N5 if container.url.endswith(".n5") else ZARR2


def _blosc(fmt: Format, dtype: np.dtype[Any]) -> dict[str, Any]:
    if fmt is ZARR3:
        return {
            "name": "blosc",
            "configuration": {
                "cname": "lz4",
                "clevel": 5,
                "shuffle": "shuffle",
                "typesize": dtype.itemsize,
            },
        }
    return {"cname": "lz4", "clevel": 5, "shuffle": 1} | (
        {"type": "blosc", "blocksize": 0} if fmt is N5 else {"id": "blosc"}
    )


def array_metadata(
    fmt: Format,
    shape: tuple[int, ...],
    dtype: np.dtype[Any],
    chunks: tuple[int, ...],
    axes: list[str],
    shards: tuple[int, ...] | None = None,
) -> Document:
    """The tensorstore ``metadata`` of a new array in ``fmt`` (shapes in z, y, x order).

    ``shards`` (zarr v3 only) groups ``chunks`` into shard files of that shape; each shard
    ends with its chunk index (``sharding_indexed``, crc32c-checked).
    """
    if fmt is N5:
        return {
            "dimensions": list(shape)[::-1],
            "blockSize": list(chunks)[::-1],
            "dataType": dtype.name,
            "compression": _blosc(fmt, dtype),
        }
    if shards is not None and fmt is not ZARR3:
        raise IncompatibleDatasetError(
            f"shards are a zarr v3 feature; a {fmt.name} dataset cannot have them. Use "
            f"format 'zarr3' (a new container), or leave the shard shape out"
        )
    if fmt is ZARR3:
        codecs: list[Any] = [
            {"name": "bytes", "configuration": {"endian": "little"}},
            _blosc(fmt, dtype),
        ]
        if shards is not None:
            codecs = [
                {
                    "name": "sharding_indexed",
                    "configuration": {
                        "chunk_shape": list(chunks),
                        "codecs": codecs,
                        "index_codecs": [
                            {"name": "bytes", "configuration": {"endian": "little"}},
                            {"name": "crc32c"},
                        ],
                        "index_location": "end",
                    },
                }
            ]
        grid = list(chunks if shards is None else shards)
        return {
            "shape": list(shape),
            "data_type": dtype.name,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": grid}},
            "codecs": codecs,
            "fill_value": False if dtype == np.bool_ else 0,
            "dimension_names": list(axes),
        }
    return {
        "shape": list(shape),
        "dtype": dtype.str,
        "chunks": list(chunks),
        "compressor": _blosc(fmt, dtype),
        "fill_value": False if dtype == np.bool_ else 0,
        "dimension_separator": "/",
    }


def write_groups(container: Container, fmt: Format, dataset: str) -> None:
    """Group documents for the root and every parent of ``dataset`` that lacks one."""
    for group in reversed(parents_of(dataset)):
        if fmt is N5 and group:
            continue  # N5 groups are folders; only the root says "n5"
        default: Document = (
            {"n5": "2.0.0"}
            if fmt is N5
            else {"zarr_format": 3, "node_type": "group", "attributes": {}}
            if fmt is ZARR3
            else {"zarr_format": 2}
        )
        key = f"{group}/{'.zgroup' if fmt is ZARR2 else fmt.attrs_file}".lstrip("/")
        container.update_json(key, _kept_or(default))


def _kept_or(default: Document) -> Callable[[Document | None], Document]:
    """An update that keeps an existing document and writes ``default`` only if there is none."""
    return lambda document: document or default


def create_dataset(
    container: Container,
    dataset: str,
    fmt: Format,
    *,
    shape: tuple[int, ...],
    dtype: np.dtype[Any],
    chunks: tuple[int, ...],
    axes: list[str],
    delete_existing: bool,
    shards: tuple[int, ...] | None = None,
) -> None:
    write_groups(container, fmt, dataset)
    spec = {
        "driver": fmt.driver,
        "kvstore": join(container.spec, dataset),
        "metadata": array_metadata(fmt, shape, dtype, chunks, axes, shards),
    }
    try:
        ts.open(
            spec, create=True, delete_existing=delete_existing, context=shared_context()
        ).result()
    except ValueError as err:
        raise translate(err, f"cannot create {container.where(dataset)!r}") from err


def plain_attributes(
    fmt: Format, axes: list[str], roi: Roi, voxel_size: Coordinate, world: WorldUnit = NM
) -> dict[str, Any]:
    """The attributes funlib, daisy, xarray and the original DaCapo read.

    zarr: ``resolution``/``voxel_size``, ``offset``, ``axes``/``axis_names`` (``"c^"`` for
    channels, as funlib writes), ``units`` and, in zarr v2, ``_ARRAY_DIMENSIONS``. N5 lists
    x, y, z and gets ``pixelResolution`` instead of ``resolution`` (tensorstore reads an N5
    ``resolution`` as one entry per dimension, channels included). Values are nm: ``roi`` and
    ``voxel_size`` in ``world`` units are converted exactly (:func:`stored_nanometres`).
    """
    voxel = stored_nanometres(voxel_size, world, what="voxel size")
    offset = stored_nanometres(roi.offset, world, what="offset")
    if fmt is N5:
        return {
            "pixelResolution": {"dimensions": voxel[::-1], "unit": "nm"},
            "offset": offset[::-1],
            "axes": axes[::-1],
        }
    marked = [f"{a}^" if a == CHANNEL else a for a in axes]
    attributes: dict[str, Any] = {
        "resolution": voxel,
        "voxel_size": voxel,
        "offset": offset,
        "axes": list(axes),
        "axis_names": marked,
        "units": ["nm"] * len(voxel),
    }
    if fmt is ZARR2:
        attributes["_ARRAY_DIMENSIONS"] = marked
    return attributes


def write_attributes(container: Container, fmt: Format, dataset: str, new: dict[str, Any]) -> None:
    """Merge ``new`` into the attributes of the array or group at ``dataset`` (atomically)."""

    def merged(document: Document | None) -> Document:
        document = document or {}
        if fmt is ZARR3:
            document.setdefault("attributes", {}).update(new)
        else:
            document.update(new)
        return document

    container.update_json(fmt.attrs_key(dataset), merged)


def prepare(
    container: Container,
    dataset: str,
    layout: Layout,
    *,
    fmt: str | None,
    overwrite: bool,
    world: WorldUnit = NM,
) -> None:
    """Make sure an array is stored at ``dataset``: create it if absent (or ``overwrite``),
    with plain attributes and an entry in its group's OME-NGFF multiscales (not for N5 with
    channels: listed x, y, z, c the channel axis would come last); leave an existing
    one alone (the caller compares it with ``layout``)."""
    found = classify(container.read_jsons(probe_keys(dataset)), dataset)
    if found is not None and found[0] == "group":
        raise IncompatibleDatasetError(
            f"{dataset!r} in container {container.url!r} is a group; an array cannot replace "
            f"it (not even with overwrite=True). Choose another dataset name"
        )
    if found is not None and not overwrite:
        return
    if fmt is None and layout.shards is not None and not container.url.endswith(".n5"):
        fmt = "zarr3"  # shards exist only in zarr v3
    chosen = format_for(container, fmt)
    create_dataset(
        container,
        dataset,
        chosen,
        shape=layout.shape,
        dtype=layout.dtype,
        chunks=layout.chunks,
        axes=layout.axes,
        delete_existing=found is not None,
        shards=layout.shards,
    )
    write_attributes(
        container,
        chosen,
        dataset,
        plain_attributes(chosen, layout.axes, layout.roi, layout.voxel_size, world),
    )
    if chosen is N5 and CHANNEL in layout.axes:
        return  # in N5 order the channel axis would come last, which OME-NGFF forbids
    add_to_multiscales(
        container,
        chosen,
        dataset,
        axes=layout.axes,
        voxel=stored_nanometres(layout.voxel_size, world, what="voxel size"),
        offset=stored_nanometres(layout.roi.offset, world, what="offset"),
    )
