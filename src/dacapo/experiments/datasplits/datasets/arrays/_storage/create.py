"""Creating datasets: the tensorstore spec per format, group documents, plain attributes."""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorstore as ts

from .formats import N5, ZARR2, ZARR3, Format
from .kvstore import Container, join


def format_for(container: Container, requested: str | None) -> Format:
    """``requested`` if given; N5 for ``*.n5`` containers; zarr v3 if the root is v3; else v2."""
    if requested is not None:
        by_name = {f.name: f for f in (ZARR2, ZARR3, N5)}
        if requested not in by_name:
            raise ValueError(f"unknown format {requested!r}; use one of {sorted(by_name)}")
        return by_name[requested]
    if str(container.path).rstrip("/").endswith(".n5"):
        return N5
    root = container.read_json("zarr.json")
    return ZARR3 if root is not None and root.get("zarr_format") == 3 else ZARR2


def _metadata(
    fmt: Format, shape: tuple[int, ...], dtype: np.dtype[Any], chunks: tuple[int, ...]
) -> dict[str, Any]:
    if fmt is N5:
        return {
            "dimensions": list(shape)[::-1],
            "blockSize": list(chunks)[::-1],
            "dataType": dtype.name,
            "compression": {"type": "blosc", "cname": "zstd", "clevel": 5, "shuffle": 1},
        }
    if fmt is ZARR3:
        return {
            "shape": list(shape),
            "data_type": dtype.name,
            "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": list(chunks)}},
            "codecs": [
                {"name": "bytes", "configuration": {"endian": "little"}},
                {
                    "name": "blosc",
                    "configuration": {
                        "cname": "zstd",
                        "clevel": 5,
                        "shuffle": "shuffle",
                        "typesize": dtype.itemsize,
                    },
                },
            ],
            "fill_value": 0,
        }
    return {
        "shape": list(shape),
        "dtype": dtype.str,
        "chunks": list(chunks),
        "compressor": {"id": "blosc", "cname": "zstd", "clevel": 5, "shuffle": 1},
        "fill_value": 0,
        "dimension_separator": "/",
    }


def write_groups(container: Container, fmt: Format, dataset: str) -> None:
    """Group documents for the root and every parent of ``dataset`` that lacks one."""
    parts = dataset.strip("/").split("/")[:-1]
    for depth in range(len(parts) + 1):
        prefix = "/".join(parts[:depth])
        folder = f"{prefix}/" if prefix else ""
        if fmt is ZARR2 and container.read_json(folder + ".zgroup") is None:
            container.write_json(folder + ".zgroup", {"zarr_format": 2})
        elif fmt is ZARR3 and container.read_json(folder + "zarr.json") is None:
            container.write_json(
                folder + "zarr.json", {"zarr_format": 3, "node_type": "group", "attributes": {}}
            )
        elif fmt is N5 and depth == 0 and container.read_json("attributes.json") is None:
            container.write_json("attributes.json", {"n5": "2.0.0"})


def create_dataset(
    container: Container,
    dataset: str,
    fmt: Format,
    *,
    shape: tuple[int, ...],
    dtype: np.dtype[Any],
    chunks: tuple[int, ...],
    delete_existing: bool,
) -> None:
    write_groups(container, fmt, dataset)
    spec = {
        "driver": fmt.driver,
        "kvstore": join(container.spec, dataset),
        "metadata": _metadata(fmt, shape, dtype, chunks),
        "create": True,
        "delete_existing": delete_existing,
    }
    ts.open(spec).result()


def write_attributes(container: Container, fmt: Format, dataset: str, new: dict[str, Any]) -> None:
    """Merge ``new`` into the attributes of ``dataset`` (an array or a group)."""
    key = fmt.attrs_key(dataset)
    document = container.read_json(key) or {}
    if fmt is ZARR3:
        document.setdefault("attributes", {}).update(new)
    else:
        document.update(new)
    container.write_json(key, document)
