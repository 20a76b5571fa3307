"""Reading what is stored at a dataset path: format, shape, dtype, attributes, parent groups.

Everything is read in two rounds of concurrent requests (the dataset's documents, then its
parent groups'), so opening an array on a cloud store costs two round trips, and never a chunk.
"""

from __future__ import annotations

from typing import Any

import attrs

from dacapo.experiments.datasplits.datasets.arrays.errors import (
    ContainerNotFoundError,
    DatasetNotFoundError,
)

from .formats import ArrayInfo, Format, array_info, classify, probe_keys
from .kvstore import Container, Document
from .listing import describe, list_arrays
from .nodes import MetadataInput, Node


@attrs.frozen
class StoredArray:
    """What one dataset's metadata says."""

    fmt: Format
    #: The array's metadata document (``.zarray``, ``zarr.json`` or ``attributes.json``).
    document: Document
    info: ArrayInfo
    attrs: dict[str, Any]
    meta: MetadataInput


def parents_of(path: str) -> list[str]:
    """Container paths of the groups above ``path``, nearest first, root (``""``) last.

    >>> parents_of("a/b/s0")
    ['a/b', 'a', '']
    """
    parts = path.strip("/").split("/")[:-1]
    return ["/".join(parts[:i]) for i in range(len(parts), -1, -1)]


def read_parents(container: Container, fmt: Format, path: str) -> tuple[Node, ...]:
    groups = parents_of(path)
    keys = [fmt.attrs_key(g) for g in groups]
    documents = container.read_jsons(keys)
    return tuple(
        Node(g, fmt.attrs_of(documents[k]), container.where(k))
        for g, k in zip(groups, keys, strict=True)
    )


def inspect_array(container: Container, dataset: str, *, label: str) -> StoredArray:
    """The metadata of the array at ``dataset``; a clear error when there is none."""
    documents = container.read_jsons(probe_keys(dataset))
    kind = classify(documents, dataset)
    if kind is None or kind[0] != "array":
        raise missing(container, dataset, is_group=kind is not None, label=label)
    fmt = kind[1]
    array_key = f"{dataset}/{fmt.array_key}" if dataset else fmt.array_key
    document = documents.get(array_key) or {}
    info = array_info(fmt, document, container.where(array_key))
    attrs_key = fmt.attrs_key(dataset)
    node = Node(dataset, fmt.attrs_of(documents[attrs_key]), container.where(attrs_key))
    meta = MetadataInput(
        array=node,
        parents=read_parents(container, fmt, dataset) if dataset else (),
        shape=info.shape,
        reversed_axes=fmt.reversed_axes,
        dimension_names=info.dimension_names,
    )
    return StoredArray(fmt, document, info, dict(node.attrs), meta)


def missing(
    container: Container, dataset: str, *, is_group: bool, label: str
) -> ContainerNotFoundError | DatasetNotFoundError:
    """The error for a dataset path that holds no array (listing what does exist)."""
    if not container.exists():
        return ContainerNotFoundError(
            f"container {container.url!r} does not exist; check ZarrArrayConfig.file_name "
            f"of {label}"
        )
    found = list_arrays(container)
    if is_group:
        return DatasetNotFoundError(
            f"{dataset!r} in container {container.url!r} is a group, not an array (its "
            f"datasets: {describe(found, under=dataset)}); check ZarrArrayConfig.dataset of "
            f"{label}"
        )
    return DatasetNotFoundError(
        f"no dataset {dataset!r} in container {container.url!r} (found: {describe(found)}); "
        f"check ZarrArrayConfig.dataset of {label}"
    )
