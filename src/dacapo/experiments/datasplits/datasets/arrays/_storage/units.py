"""Lengths in any unit to whole nanometres, exactly or not at all.

World units are nanometres. Values are converted in decimal arithmetic on their shortest
representation (``0.004`` micrometres is exactly 4 nm, not 3.9999999999999996), and a result
that is not a whole number raises :class:`MetadataError` naming the value, the attribute and
the file: nothing is ever truncated.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

#: Factor to nanometres of every length unit we accept (UDUNITS-2 names as OME-NGFF uses them,
#: their abbreviations, and the spellings found in N5 and funlib metadata).
NANOMETRES_PER: dict[str, Decimal] = {
    **dict.fromkeys(("nm", "nanometer", "nanometers", "nanometre", "nanometres"), Decimal(1)),
    **dict.fromkeys(
        ("um", "µm", "μm", "micrometer", "micrometers", "micrometre", "micron", "microns"),
        Decimal(1000),
    ),
    **dict.fromkeys(("mm", "millimeter", "millimeters", "millimetre"), Decimal(10**6)),
    **dict.fromkeys(("cm", "centimeter", "centimetre"), Decimal(10**7)),
    **dict.fromkeys(("m", "meter", "meters", "metre"), Decimal(10**9)),
    **dict.fromkeys(("pm", "picometer", "picometre"), Decimal("0.001")),
    **dict.fromkeys(("a", "å", "angstrom", "angstroms", "ångström"), Decimal("0.1")),
}
#: Units that say "no physical unit": the numbers are taken as nanometres.
UNITLESS = frozenset(("", "pixel", "pixels", "px", "voxel", "voxels"))


def factor(unit: Any, *, attribute: str, where: str) -> Decimal:
    """Nanometres per ``unit``; ``None`` and unitless names count as nanometres."""
    if unit is None:
        return Decimal(1)
    if not isinstance(unit, str):
        raise MetadataError(
            f"unit {unit!r} of {attribute} in {where} is not a string; write a length unit "
            f"such as 'nanometer'"
        )
    name = unit.strip()
    key = name if name in NANOMETRES_PER else name.lower()
    if key in UNITLESS:
        return Decimal(1)
    if key not in NANOMETRES_PER:
        raise MetadataError(
            f"unknown length unit {unit!r} of {attribute} in {where}; use one of "
            f"'nanometer', 'micrometer', 'millimeter', 'meter', 'angstrom' (or nm, um, mm)"
        )
    return NANOMETRES_PER[key]


def to_decimal(value: Any, *, attribute: str, where: str) -> Decimal:
    """A number from a JSON document, exactly as written (``0.1`` is ``Decimal("0.1")``)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise MetadataError(f"{attribute} in {where} must hold numbers; got {value!r}")
    if isinstance(value, numbers.Integral):
        return Decimal(int(value))
    return Decimal(repr(float(value)))


def whole_nanometres(values: Any, units: Any, *, attribute: str, where: str) -> tuple[int, ...]:
    """``values`` (one per axis) in ``units`` (one unit, or one per axis) as whole nm.

    >>> whole_nanometres([0.004, 0.004, 0.008], "micrometer", attribute="'scale'", where="x")
    (4, 4, 8)
    >>> whole_nanometres([4.5, 4, 4], "nm", attribute="'resolution'", where="/x/.zattrs")
    Traceback (most recent call last):
    ...
    dacapo.experiments.datasplits.datasets.arrays.errors.MetadataError: voxel sizes and offsets
    must be whole nanometres; got [4.5, 4, 4] (nm) from 'resolution' in /x/.zattrs, and 4.5 nm
    is not whole...
    """
    if isinstance(values, str | bytes) or not isinstance(values, Sequence):
        raise MetadataError(
            f"{attribute} in {where} must be a list of numbers, one per axis; got {values!r}"
        )
    per_axis = list(units) if isinstance(units, list | tuple) else [units] * len(values)
    if len(per_axis) != len(values):
        raise MetadataError(
            f"{attribute} in {where} has {len(values)} values but {len(per_axis)} units "
            f"({per_axis}); give one unit per axis"
        )
    result = []
    for value, unit in zip(values, per_axis, strict=True):
        exact = to_decimal(value, attribute=attribute, where=where)
        nm = exact * factor(unit, attribute=attribute, where=where)
        if nm != nm.to_integral_value():
            named = sorted({str(u) for u in per_axis if u is not None})
            shown = f" ({', '.join(named)})" if named else ""
            raise MetadataError(
                f"voxel sizes and offsets must be whole nanometres; got {_show(values)}{shown} "
                f"from {attribute} in {where}, and {nm.normalize():f} nm is not whole. Nothing "
                f"is rounded: rewrite the metadata in whole nanometres, or resample the data"
            )
        result.append(int(nm))
    return tuple(result)


def _show(values: Sequence[Any]) -> str:
    """``[4.5, 4, 4]``: values as written (Decimals without their type name)."""
    shown = [f"{v.normalize():f}" if isinstance(v, Decimal) else repr(v) for v in values]
    return f"[{', '.join(shown)}]"
