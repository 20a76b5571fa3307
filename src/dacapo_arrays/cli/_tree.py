"""The config tree, node by node with its config path, and how ``info`` describes a node."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays import (
    Array,
    ArrayConfig,
    HasChunks,
    format_roi,
)
from dacapo.experiments.datasplits.datasets.arrays._build import Node
from dacapo.experiments.datasplits.datasets.arrays._storage.units import NOTES, world_of


def walk(config: ArrayConfig, path: str = "$", depth: int = 0, field: str = "") -> Iterator[Node]:
    """Every config of the tree, parents before their sources."""
    yield Node(path, field, depth, config, None, ())
    for field_path, source in config.sources():
        yield from walk(source, f"{path}.{field_path}", depth + 1, field_path)


def _times(values: Any, unit: str = "") -> str:
    text = " x ".join(str(int(v)) for v in values)
    return f"{text} {unit}".rstrip()


def chunk_shape(array: Array) -> tuple[int, ...] | None:
    """Storage chunks in voxels, where the kind knows them."""
    if isinstance(array, HasChunks):
        return tuple(int(c) for c in array.chunk_shape)
    return None


def is_computed(node: Node, array: Array) -> bool:
    """Computed on read: the array has sources (stored arrays have none) or the config does."""
    return bool(array.sources) or not node.is_leaf


def _chunks(node: Node, array: Array, unit: str) -> str:
    if is_computed(node, array):
        return "none: computed on read"
    chunks = chunk_shape(array)
    if chunks is None:
        return "unknown"
    spatial = chunks[-array.dims :]
    world = [c * v for c, v in zip(spatial, array.voxel_size, strict=True)]
    return f"{_times(chunks, 'voxels')} ({_times(world, unit)})"


def describe(node: Node, array: Array) -> list[tuple[str, str]]:
    """(label, value) rows for one array, with units (and what was read other than as
    written: snapped calibrations, centre-aligned levels, left-out axes)."""
    attributes = array.attrs
    unit = str(world_of(attributes))
    rows = [
        ("axes", " ".join(array.axes)),
        ("voxel size", _times(array.voxel_size, unit)),
        (
            "ROI",
            f"{format_roi(array.roi).replace('(nm)', f'({unit})')}, extent "
            f"{_times(array.roi.shape, unit)}",
        ),
        ("shape", _times(array.shape, "voxels")),
        ("dtype", str(array.dtype)),
        ("channels", "none" if array.num_channels is None else str(array.num_channels)),
    ]
    rows.append(("chunks", _chunks(node, array, unit)))
    if not is_computed(node, array):
        for key, label in (
            ("file_name", "container"),
            ("dataset", "dataset"),
            ("source", "source"),
        ):
            value = getattr(node.config, key, None)
            if value is not None:
                rows.append((label, str(value)))
        rows += [("note", str(note)) for note in attributes.get(NOTES, [])]
    return rows


def header(node: Node, array: Array | None) -> str:
    kind = "" if array is None else f" → {type(array).__name__}"
    if array is not None:
        kind += " (computed)" if is_computed(node, array) else " (stored)"
    prefix = "" if node.depth == 0 else f"{'    ' * (node.depth - 1)}└─ {node.field}: "
    return f"{prefix}{node.title}{kind}"


def render(node: Node, array: Array | None, error: str | None) -> list[str]:
    indent = "    " * node.depth + ("   " if node.depth else "  ")
    lines = [header(node, array)]
    if array is not None:
        rows = describe(node, array)
        width = max(len(label) for label, _ in rows)
        lines += [f"{indent}{label:<{width}}  {value}" for label, value in rows]
    if error is not None:
        lines.append(f"{indent}✗ {error}")
    return lines
