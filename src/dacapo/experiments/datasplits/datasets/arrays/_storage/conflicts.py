"""Metadata that contradicts the metadata that was used: reported, with the rule that won.

The conventions are tried in order and the first that matches wins (``metadata.PARSERS``);
inside one convention the first key found wins (N5: ``pixelResolution`` before
``resolution``; plain attributes: ``resolution``, ``voxel_size``, ``scale``). When another
convention, or a later key on the same array, states a different voxel size or offset, the
array is still read by the rule, and a note (``dacapo_arrays:notes``, shown by ``info``;
``check`` warns) says what disagreed and which rule won. The parsers are pure, so this costs
no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

from .nodes import Geometry, MetadataInput

#: Every conflict note starts with this (``check`` picks them out of the notes).
CONFLICT = "conflicting metadata"

RULE = (
    "the first convention that matches wins: OME-NGFF multiscales on a parent group, then "
    "N5 attributes, then a COSEM transform, then plain attributes"
)

#: Keys one convention reads the voxel size from, in the order it looks (first found wins).
KEYS = {
    "N5 attributes": ("pixelResolution", "resolution"),
    "plain attributes": ("resolution", "voxel_size", "scale"),
}

Parser = Callable[[MetadataInput], Geometry | None]


def _text(values: Sequence[Decimal | int]) -> str:
    shown = [format(Decimal(v).normalize(), "f") for v in values]
    return f"({', '.join(shown)}) nm"


def _source(geometry: Geometry, field: str) -> str:
    stated = geometry.voxel_from if field == "voxel size" else geometry.offset_from
    return stated or f"{geometry.convention} in {geometry.where}"


def _differences(winner: Geometry, other: Geometry, rule: str) -> list[str]:
    found = []
    for field, won, lost in (
        ("voxel size", winner.voxel_size, other.voxel_size),
        ("offset", winner.offset, other.offset),
    ):
        if won is None or lost is None or len(won) != len(lost):
            continue
        if any(Decimal(a) != Decimal(b) for a, b in zip(won, lost, strict=True)):
            found.append(
                f"{CONFLICT}: the {field} {_text(won)} was used ({_source(winner, field)}), "
                f"but {_source(other, field)} says {_text(lost)}; the rule: {rule}. Fix or "
                f"remove the one that is wrong, or set {field.replace(' ', '_')} in the config"
            )
    return found


def _parsed(parser: Parser, meta: MetadataInput) -> Geometry | None:
    try:
        return parser(meta)
    except MetadataError:  # its own problem; it did not win, so it is not in the way
        return None


def _without(meta: MetadataInput, keys: Sequence[str]) -> MetadataInput:
    kept = {k: v for k, v in meta.array.attrs.items() if k not in keys}
    return attrs.evolve(meta, array=attrs.evolve(meta.array, attrs=kept))


def conflicts(meta: MetadataInput, winner: Geometry, parsers: Sequence[Parser]) -> list[str]:
    """Notes for every other convention, and every later key of the winning one on the
    array, that states a different voxel size or offset than ``winner``."""
    found: list[str] = []
    for parser in parsers:
        other = _parsed(parser, meta)
        if other is None or other.convention == winner.convention:
            continue
        found += _differences(winner, other, RULE)
    keys = KEYS.get(winner.convention, ())
    present = [k for k in keys if k in meta.array.attrs]
    order = " before ".join(repr(k) for k in keys)
    rule = f"{winner.convention} are read {order}, the first found wins"
    for index in range(len(present) - 1):
        for parser in parsers:
            other = _parsed(parser, _without(meta, present[: index + 1]))
            if other is not None and other.convention == winner.convention:
                found += _differences(winner, other, rule)
                break
    return found
