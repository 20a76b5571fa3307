"""The container formats, as data: tensorstore driver, metadata keys, and how to read them.

======  =========  ==================  ==================  ====================================
name    driver     array document      attributes          notes
======  =========  ==================  ==================  ====================================
zarr2   zarr       ``.zarray``         ``.zattrs``
zarr3   zarr3      ``zarr.json``       inside zarr.json    sharded or not; ``dimension_names``
n5      n5         ``attributes.json`` the same document   axes stored x, y, z: shown reversed
======  =========  ==================  ==================  ====================================
"""

from __future__ import annotations

from typing import Any

import attrs
import numpy as np

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

from .kvstore import Container, Document, join
from .n5 import RESERVED as N5_RESERVED


@attrs.frozen
class Format:
    name: str
    driver: str
    #: The array's metadata document, relative to its folder.
    array_key: str
    #: The document holding a node's user attributes, relative to its folder.
    attrs_file: str
    #: Whether tensorstore shows the axes reversed (N5 lists dimensions x, y, z).
    reversed_axes: bool = False

    def attrs_key(self, path: str) -> str:
        """The key of the attributes document of the array or group at ``path``."""
        path = path.strip("/")
        return f"{path}/{self.attrs_file}" if path else self.attrs_file

    def attrs_of(self, document: Document | None) -> dict[str, Any]:
        """The user attributes inside an attributes document."""
        if not document:
            return {}
        if self is ZARR3:
            return dict(document.get("attributes") or {})
        if self is N5:
            return {k: v for k, v in document.items() if k not in N5_RESERVED}
        return dict(document)


ZARR2 = Format("zarr2", "zarr", ".zarray", ".zattrs")
ZARR3 = Format("zarr3", "zarr3", "zarr.json", "zarr.json")
N5 = Format("n5", "n5", "attributes.json", "attributes.json", reversed_axes=True)
FORMATS = {f.name: f for f in (ZARR2, ZARR3, N5)}

#: The documents read to find out what is stored at a path.
PROBES = (".zarray", "zarr.json", "attributes.json", ".zattrs", ".zgroup")


def probe_keys(path: str) -> list[str]:
    path = path.strip("/")
    return [f"{path}/{p}" if path else p for p in PROBES]


def classify(documents: dict[str, Document | None], path: str) -> tuple[str, Format] | None:
    """``("array" | "group", format)`` of the node at ``path`` from its probe documents."""
    found = dict(zip(PROBES, (documents.get(k) for k in probe_keys(path)), strict=True))
    v3 = found["zarr.json"]
    if v3 is not None and v3.get("zarr_format") == 3:
        return ("array" if v3.get("node_type") == "array" else "group"), ZARR3
    if found[".zarray"] is not None:
        return "array", ZARR2
    if found[".zgroup"] is not None:
        return "group", ZARR2
    n5 = found["attributes.json"]
    if n5 is not None:
        return ("array" if "dimensions" in n5 and "dataType" in n5 else "group"), N5
    return None


def native(dtype: Any) -> np.dtype[Any]:
    """``dtype`` in the machine's byte order: reads return native arrays (zarr v2 ``>u8``
    decodes to ``uint64``), and ``dtype`` must say what reads return.

    >>> native(">u8"), native("<f4"), native("|u1")
    (dtype('uint64'), dtype('float32'), dtype('uint8'))
    """
    found: np.dtype[Any] = np.dtype(dtype).newbyteorder("=")
    return found


@attrs.frozen
class ArrayInfo:
    """Shape, dtype and write-chunk shape of a stored array, as presented (z, y, x)."""

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    chunks: tuple[int, ...]
    dimension_names: tuple[str | None, ...] | None = None


def array_info(fmt: Format, document: Document, where: str) -> ArrayInfo:
    """Read an array's metadata document; :class:`MetadataError` names what is wrong."""
    info = _array_info(fmt, document, where)
    for name, values, least in (("shape", info.shape, 0), ("chunk shape", info.chunks, 1)):
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= least for v in values):
            raise MetadataError(
                f"cannot read the {fmt.name} array metadata {where!r}: its {name} "
                f"{list(values)} must hold whole numbers >= {least}; repair the file or "
                f"recreate the dataset"
            )
    return info


def _array_info(fmt: Format, document: Document, where: str) -> ArrayInfo:
    try:
        if fmt is N5:
            return ArrayInfo(
                tuple(document["dimensions"])[::-1],
                np.dtype(document["dataType"]),
                tuple(document["blockSize"])[::-1],
            )
        if fmt is ZARR3:
            grid = document["chunk_grid"]
            if grid.get("name") != "regular":
                raise ValueError(f"chunk grid {grid.get('name')!r} is not 'regular'")
            names = document.get("dimension_names")
            return ArrayInfo(
                tuple(document["shape"]),
                np.dtype(document["data_type"]),
                tuple(grid["configuration"]["chunk_shape"]),
                tuple(names) if isinstance(names, list) else None,
            )
        return ArrayInfo(
            tuple(document["shape"]), native(document["dtype"]), tuple(document["chunks"])
        )
    except (KeyError, TypeError, ValueError) as err:
        problem = f"missing key {err}" if isinstance(err, KeyError) else str(err)
        raise MetadataError(
            f"cannot read the {fmt.name} array metadata {where!r}: {problem}; repair the file "
            f"or recreate the dataset"
        ) from err


def open_spec(
    container: Container,
    fmt: Format,
    dataset: str,
    document: Document,
    metadata: Document | None = None,
) -> dict[str, Any]:
    """The tensorstore spec that opens ``dataset`` for its voxels.

    N5 is opened from the metadata already read (``assume_metadata``): tensorstore refuses
    N5 attributes that other tools write (a ``resolution`` with one entry per spatial axis
    only, ``axes`` as a string), and it saves a round trip per process. ``metadata`` (from
    ``codecs.readable``) opens any format from adapted metadata the same way.
    """
    spec: dict[str, Any] = {"driver": fmt.driver, "kvstore": join(container.spec, dataset)}
    if metadata is not None:
        spec["metadata"] = metadata
    elif fmt is N5:
        spec["metadata"] = {k: document[k] for k in N5_RESERVED if k in document}
    return spec
