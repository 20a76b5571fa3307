"""What the metadata parsers read and what they return: plain, immutable data.

A parser (``ome_ngff.parse``, ``n5.parse``, ``cosem.parse``, ``plain.parse``) is a pure
function ``MetadataInput -> Geometry | None``: no I/O, so each is tested on JSON fixtures.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs


@attrs.frozen
class Node:
    """The user attributes of one array or group, and the file they came from (for messages)."""

    #: Path of the node inside the container, without leading or trailing ``/`` (root: ``""``).
    path: str
    attrs: Mapping[str, Any]
    #: The document's full path or URL, e.g. ``/data/x.zarr/raw/.zattrs``.
    where: str


@attrs.frozen
class MetadataInput:
    """Everything a parser may look at for one array."""

    array: Node
    #: The groups above the array, nearest first, the container's root last.
    parents: tuple[Node, ...]
    #: The array's shape as presented (z, y, x order, also for N5).
    shape: tuple[int, ...]
    #: Whether the stored axis order is the reverse of the presented one (N5 lists x, y, z):
    #: lists in the attributes are then reversed by the parsers.
    reversed_axes: bool = False
    #: zarr v3 ``dimension_names`` from the array's metadata, if any.
    dimension_names: tuple[str | None, ...] | None = None


@attrs.frozen
class Level:
    """One level of a multiscale group: dataset path in the container, voxel size, offset."""

    path: str
    #: Exact nanometres (``Decimal``; whole numbers compare equal to ``int``).
    voxel_size: tuple[Decimal, ...]
    offset: tuple[Decimal, ...]


@attrs.frozen
class Geometry:
    """What one convention says about an array; ``None`` fields were not stated."""

    #: The convention and attribute that matched, e.g. ``"OME-NGFF 0.4 multiscales"``.
    convention: str
    #: The file the values were read from.
    where: str
    #: Spatial voxel size and offset in exact nanometres (channel axes excluded); turned into
    #: whole world units by ``metadata.resolve``.
    voxel_size: tuple[Decimal | int, ...] | None = None
    offset: tuple[Decimal | int, ...] | None = None
    #: Names of every axis after ``squeeze``, ``"c"`` for channels.
    axes: tuple[str, ...] | None = None
    #: Number of leading singleton axes (e.g. an OME-NGFF time axis of size 1) to index away.
    squeeze: int = 0
    #: The levels of the multiscale group the array belongs to (itself included).
    levels: tuple[Level, ...] = ()
    #: How the voxel size and offset were written, for messages (``[5.24, 4, 4] (nm) from
    #: 'scale' of dataset 's0' in /x/.zattrs``); empty: ``convention`` in ``where``.
    voxel_from: str = ""
    offset_from: str = ""
    #: Everything read other than as written (a level placed by the centre rule, ...).
    notes: tuple[str, ...] = ()


def relative(path: str, group: str) -> str | None:
    """``path`` relative to ``group`` (both container paths), or ``None`` if not inside it.

    >>> relative("raw/s0", "raw"), relative("raw/s0", ""), relative("raw/s0", "labels")
    ('s0', 'raw/s0', None)
    """
    if not group:
        return path
    prefix = group + "/"
    return path[len(prefix) :] if path.startswith(prefix) else None


def join_path(group: str, child: str) -> str:
    """The container path of ``child`` (a relative OME-NGFF ``path``) inside ``group``."""
    child = child.strip("/")
    while child.startswith("./"):
        child = child[2:]
    return f"{group}/{child}" if group else child


def is_channel_marker(name: str) -> bool:
    """funlib >= 0.6 names channel axes ``c^``, ``c0^``, ``channel^`` (``^``: not spatial).

    >>> [is_channel_marker(n) for n in ("c^", "c0^", "channel^", "sample^", "c")]
    [True, True, True, False, False]
    """
    return bool(re.fullmatch(r"(c\d*|ch|channels?)\^", name.lower()))
