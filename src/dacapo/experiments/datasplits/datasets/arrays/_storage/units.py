"""Lengths in any unit to nanometres, exactly or not at all: one unit table for every format.

World units are nanometres. Numbers are taken from their shortest decimal text (``0.004``
micrometres is exactly 4 nm, not 3.9999999999999996), so whether a length is a whole number
of nanometres is decided without floating-point noise, and never by truncation. Two views of
the same table:

* zarr / N5 metadata (JSON numbers, one per axis): :func:`whole_nanometres` in ``Decimal``,
  raising :class:`MetadataError` naming the value, the attribute and the file;
* TIFF and DVID headers (decimal text, and ratios such as pixels per unit):
  :func:`nanometres_per` and :func:`exact` in ``Fraction``; the caller decides whether a
  size must be whole (a config may override it) and shows it with :func:`show`.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.errors import MetadataError

#: Factor to nanometres of every length unit we accept (UDUNITS-2 names as OME-NGFF uses them,
#: their abbreviations, the spellings found in N5, funlib, OME-XML, ImageJ and DVID metadata),
#: keyed in lower case.
NANOMETRES_PER: dict[str, Decimal] = {
    **dict.fromkeys(("nm", "nanometer", "nanometers", "nanometre", "nanometres"), Decimal(1)),
    **dict.fromkeys(
        (
            *("um", "µm", "μm", "micron", "microns"),  # micro sign and Greek mu
            *("micrometer", "micrometers", "micrometre", "micrometres"),
        ),
        Decimal(1000),
    ),
    **dict.fromkeys(
        ("mm", "millimeter", "millimeters", "millimetre", "millimetres"), Decimal(10**6)
    ),
    **dict.fromkeys(
        ("cm", "centimeter", "centimeters", "centimetre", "centimetres"), Decimal(10**7)
    ),
    **dict.fromkeys(("m", "meter", "meters", "metre", "metres"), Decimal(10**9)),
    **dict.fromkeys(
        ("pm", "picometer", "picometers", "picometre", "picometres"), Decimal("0.001")
    ),
    **dict.fromkeys(("a", "å", "angstrom", "angstroms", "ångström"), Decimal("0.1")),
}
#: Units that say "no physical unit": zarr metadata in them is taken as nanometres.
UNITLESS = frozenset(("", "pixel", "pixels", "px", "voxel", "voxels"))


def _key(unit: str) -> str:
    """``unit`` as looked up: trimmed, lower case, ImageJ's ``\\u00B5`` escape read as µ."""
    return unit.strip().lower().replace("\\u00b5", "µ")


def factor(unit: Any, *, attribute: str, where: str) -> Decimal:
    """Nanometres per ``unit``; ``None`` and unitless names count as nanometres."""
    if unit is None:
        return Decimal(1)
    if not isinstance(unit, str):
        raise MetadataError(
            f"unit {unit!r} of {attribute} in {where} is not a string; write a length unit "
            f"such as 'nanometer'"
        )
    key = _key(unit)
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
                f"voxel sizes and offsets must be whole nanometres; got {_written(values)}{shown} "
                f"from {attribute} in {where}, and {nm.normalize():f} nm is not whole. Nothing "
                f"is rounded: rewrite the metadata in whole nanometres, or resample the data"
            )
        result.append(int(nm))
    return tuple(result)


def _written(values: Sequence[Any]) -> str:
    """``[4.5, 4, 4]``: values as written (Decimals without their type name)."""
    shown = [f"{v.normalize():f}" if isinstance(v, Decimal) else repr(v) for v in values]
    return f"[{', '.join(shown)}]"


def nanometres_per(unit: str) -> Fraction | None:
    """Nanometres in one ``unit`` (``None`` for names that are not lengths, e.g. ``"pixel"``).

    >>> nanometres_per("micron"), nanometres_per("\\\\u00B5m"), nanometres_per("Nanometers")
    (Fraction(1000, 1), Fraction(1000, 1), Fraction(1, 1))
    >>> nanometres_per("pixel") is None
    True
    """
    found = NANOMETRES_PER.get(_key(unit))
    return None if found is None else Fraction(found)


def exact(value: str | float | int | Fraction) -> Fraction:
    """``value`` as an exact fraction of its decimal text (``0.1`` is ``1/10``).

    >>> exact(0.004), exact("3.2"), exact(8)
    (Fraction(1, 250), Fraction(16, 5), Fraction(8, 1))
    """
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        return Fraction(repr(value))
    return Fraction(str(value).strip())


def show(value: Fraction) -> str:
    """A length as users write it: ``4`` or ``3.2`` (repeating decimals rounded for display).

    >>> show(Fraction(4)), show(Fraction(16, 5)), show(Fraction(1, 3))
    ('4', '3.2', '0.333333')
    """
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.6g}"
