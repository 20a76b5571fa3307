"""The container formats, as data: which tensorstore driver, where metadata and attrs live."""

from __future__ import annotations

from typing import Any

import attrs

from .kvstore import Container


@attrs.frozen
class Format:
    name: str
    driver: str
    #: The key of the array's metadata document, relative to the dataset folder.
    array_key: str
    #: Whether tensorstore shows the axes reversed (N5 lists dimensions x, y, z).
    reversed_axes: bool = False

    def attrs_of(self, document: dict[str, Any]) -> dict[str, Any]:
        """User attributes inside the metadata document of an array or group."""
        if self.name == "zarr3":
            return dict(document.get("attributes", {}))
        if self.name == "n5":
            reserved = {"dimensions", "blockSize", "dataType", "compression", "n5"}
            return {k: v for k, v in document.items() if k not in reserved}
        return document

    def attrs_key(self, dataset: str) -> str:
        """The key of the attributes document of ``dataset`` (array or group)."""
        folder = f"{dataset.strip('/')}/" if dataset.strip("/") else ""
        return (
            folder + {"zarr2": ".zattrs", "zarr3": "zarr.json", "n5": "attributes.json"}[self.name]
        )


ZARR2 = Format("zarr2", "zarr", ".zarray")
ZARR3 = Format("zarr3", "zarr3", "zarr.json")
N5 = Format("n5", "n5", "attributes.json", reversed_axes=True)
FORMATS = (ZARR3, ZARR2, N5)


def detect(container: Container, dataset: str) -> Format | None:
    """The format of the array at ``dataset``, from its metadata document; None if absent."""
    for fmt in FORMATS:
        document = container.read_json(f"{dataset.strip('/')}/{fmt.array_key}")
        if document is None:
            continue
        if fmt is ZARR3 and document.get("node_type") != "array":
            continue
        if fmt is N5 and "dimensions" not in document:
            continue
        return fmt
    return None
