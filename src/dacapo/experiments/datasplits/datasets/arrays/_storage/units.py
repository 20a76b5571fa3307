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
import re
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from dacapo.experiments.datasplits.datasets.arrays.errors import (
    ConfigError,
    GeometryError,
    MetadataError,
)

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


def nanometres(values: Any, units: Any, *, attribute: str, where: str) -> tuple[Decimal, ...]:
    """``values`` (one per axis) in ``units`` (one unit, or one per axis) as exact nm.

    >>> nanometres([0.00524, 0.004], "micrometer", attribute="'scale'", where="x")
    (Decimal('5.24000'), Decimal('4.000'))
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
    return tuple(
        to_decimal(value, attribute=attribute, where=where)
        * factor(unit, attribute=attribute, where=where)
        for value, unit in zip(values, per_axis, strict=True)
    )


def stated(values: Any, units: Any, *, attribute: str, where: str) -> str:
    """How values were written, for messages: ``[5.24, 4, 4] (nm) from 'scale' in f``."""
    per_axis = list(units) if isinstance(units, list | tuple) else [units]
    named = sorted({str(u) for u in per_axis if u is not None})
    shown = f" ({', '.join(named)})" if named else ""
    return f"{_written(values)}{shown} from {attribute} in {where}"


def whole_nanometres(
    values: Any, units: Any, *, attribute: str, where: str, notes: list[str] | None = None
) -> tuple[int, ...]:
    """``values`` (one per axis) in ``units`` as whole nm (near-whole ones snapped, noted).

    >>> whole_nanometres([0.004, 0.004, 0.008], "micrometer", attribute="'scale'", where="x")
    (4, 4, 8)
    >>> whole_nanometres([4.5, 4, 4], "nm", attribute="'resolution'", where="/x/.zattrs")
    Traceback (most recent call last):
    ...
    dacapo.experiments.datasplits.datasets.arrays.errors.MetadataError: voxel sizes and offsets
    must be whole nm; got [4.5, 4, 4] (nm) from 'resolution' in /x/.zattrs, and 4.5 nm is not
    whole...
    """
    exact = nanometres(values, units, attribute=attribute, where=where)
    source = stated(values, units, attribute=attribute, where=where)
    return to_world(exact, world=NM, source=source, notes=[] if notes is None else notes)


@attrs.frozen
class WorldUnit:
    """The length one world coordinate counts (``nm`` by default, ``0.01 nm`` for 5.24 nm)."""

    text: str
    nm: Decimal

    def __str__(self) -> str:
        return self.text


NM = WorldUnit("nm", Decimal(1))


def world_unit(text: Any, *, field: str = "ZarrArrayConfig.world_unit") -> WorldUnit:
    """A world unit as configured: a length unit, optionally after a number (``"0.01 nm"``).

    >>> world_unit("0.01 nm").nm, world_unit("pm").nm, world_unit(None) is NM
    (Decimal('0.01'), Decimal('0.001'), True)
    """
    if text is None or text == "nm":
        return NM
    pattern = r"\s*([0-9.eE+-]*)\s*([^\s0-9.]+)\s*"
    found = re.fullmatch(pattern, text) if isinstance(text, str) else None
    unit = nanometres_per(found.group(2)) if found else None
    try:
        number = Decimal(found.group(1) or "1") if found else None
    except ArithmeticError:
        number = None
    if unit is None or number is None or number <= 0:
        raise ConfigError(
            f"{field} must be a length unit, optionally after a positive number, such as "
            f"'nm', 'pm', 'angstrom' or '0.01 nm'; got {text!r}"
        )
    return WorldUnit(text.strip(), number * Decimal(unit.numerator) / Decimal(unit.denominator))


def json_number(value: Decimal) -> int | float | None:
    """``value`` as the JSON number that reads back as exactly ``value`` (see
    :func:`to_decimal`): an int if whole, else the float whose shortest text is ``value``;
    ``None`` if no float is written so (more than 15 significant digits)."""
    if value == value.to_integral_value():
        return int(value)
    number = float(value)
    return number if Decimal(repr(number)) == value else None


def stored_nanometres(counts: Sequence[Any], world: WorldUnit, *, what: str) -> list[int | float]:
    """Whole world units as the nm numbers a new dataset stores (:func:`json_number`); a
    value that no JSON number writes exactly is refused, never rounded.

    >>> stored_nanometres([524, 400, 400], world_unit("0.01 nm"), what="voxel size")
    [5.24, 4, 4]
    """
    result: list[int | float] = []
    for count in counts:
        value = Decimal(int(count)) * world.nm
        number = json_number(value)
        if number is None:
            raise GeometryError(
                f"{what} {[int(c) for c in counts]} ({world}) is {value.normalize():f} nm, "
                f"which a JSON number cannot store exactly (more than 15 significant "
                f"digits); write it with a coarser world_unit or a smaller offset"
            )
        result.append(number)
    return result


#: Keys under which arrays add to their ``attrs`` what was read other than as written
#: (snapped calibrations, centre-aligned levels, left-out axes), and a world unit not nm.
NOTES = "dacapo_arrays:notes"
WORLD_UNIT = "dacapo_arrays:world_unit"


def world_of(attributes: Any) -> WorldUnit:
    """The world unit an array's ``attrs`` declare (computed arrays pass their source's).

    >>> world_of({}).text, world_of({WORLD_UNIT: "0.01 nm"}).nm
    ('nm', Decimal('0.01'))
    """
    found = attributes.get(WORLD_UNIT) if isinstance(attributes, dict) else None
    return NM if found is None else world_unit(found)


#: Values within this relative distance of a whole number of world units are snapped to it
#: (ImageJ writes 6 nm as 6.000024, Bio-Formats 650 nm as float32 649.99997); noted in attrs.
NEAR_WHOLE = Decimal("1e-5")


def finer_unit(values: Sequence[Decimal], world: WorldUnit) -> str:
    """The coarsest ``10^-k nm`` world unit in which all ``values`` (nm) are whole.

    >>> finer_unit([Decimal("5.24"), Decimal(4)], NM), finer_unit([Decimal("85.2")], NM)
    ('0.01 nm', '0.1 nm')
    """
    exponent = min(int(v.normalize().as_tuple().exponent) for v in values)
    step = Decimal(1).scaleb(min(exponent, 0))
    return f"{step:f} nm"


def to_world(
    values_nm: Sequence[Decimal],
    *,
    world: WorldUnit,
    source: str,
    notes: list[str],
    config: str = "ZarrArrayConfig",
    field: str = "voxel_size",
) -> tuple[int, ...]:
    """Exact nm values as whole world units; near-whole values snap (and a note says so),
    really fractional ones raise, naming the world unit that opens them exactly."""
    result, far = near_whole([Fraction(value) for value in values_nm], world)
    if far is not None:
        finer = finer_unit(values_nm, world)
        raise MetadataError(
            f"voxel sizes and offsets must be whole {world}; got {source}, and "
            f"{(values_nm[far] / world.nm).normalize():f} {world} is not whole. Nothing is "
            f"rounded: open it exactly with {config}(world_unit={finer!r}) (then give "
            f"every array of the config tree the same world_unit), or state the "
            f"{field.replace('_', ' ')} with {config}({field}=...) in {world}"
        )
    if any(Fraction(v) != r * Fraction(world.nm) for v, r in zip(values_nm, result, strict=True)):
        notes.append(f"{source}: read as {tuple(result)} {world} (within a relative 1e-5)")
    return tuple(result)


def near_whole(
    values_nm: Sequence[Fraction], world: WorldUnit
) -> tuple[tuple[int, ...], int | None]:
    """The one near-whole rule: each exact nm value in whole world units, rounded half to
    even, and the index of the first value farther than :data:`NEAR_WHOLE` (relative) from
    its whole number (``None`` when every one is near).

    >>> near_whole([Fraction(6000024, 1000000), Fraction(4)], NM)
    ((6, 4), None)
    >>> near_whole([Fraction(4), Fraction(9, 2)], NM)
    ((4, 4), 1)
    """
    unit = Fraction(world.nm)
    tolerance = Fraction(NEAR_WHOLE)
    counts = [value / unit for value in values_nm]
    result = tuple(round(count) for count in counts)
    far = next(
        (
            i
            for i, (count, whole) in enumerate(zip(counts, result, strict=True))
            if abs(count - whole) > tolerance * max(abs(count), Fraction(1))
        ),
        None,
    )
    return result, far


def _written(values: Sequence[Any]) -> str:
    """``[4.5, 4, 4]``: values as written (Decimals without their type name)."""
    shown = [f"{v.normalize():f}" if isinstance(v, Decimal) else repr(v) for v in values]
    return f"[{', '.join(shown)}]"


def exact_text(value: Fraction) -> str:
    """A length exactly as stored: its decimal expansion when finite, else the float's repr.

    >>> exact_text(Fraction(131, 25)), exact_text(Fraction(1, 3))
    ('5.24', '0.3333333333333333')
    """
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    if denominator != 1:
        return repr(float(value))
    return f"{(Decimal(value.numerator) / Decimal(value.denominator)).normalize():f}"


def fractions_to_world(
    sizes: Sequence[Fraction],
    *,
    world: WorldUnit,
    source: str,
    notes: list[str],
    config: str = "TiffArrayConfig",
    field: str = "voxel_size",
) -> tuple[int, ...]:
    """Exact nm (``Fraction``, from TIFF headers) as whole world units: near-whole values
    snap (noted), really fractional ones raise naming the exact value and the fix."""
    result, far = near_whole(sizes, world)
    shown = "(" + ", ".join(exact_text(s) for s in sizes) + ") nm"
    if far is not None or any(r <= 0 for r in result):
        decimal = [Decimal(exact_text(s)) for s in sizes if "e" not in exact_text(s)]
        finer = finer_unit(decimal, world) if len(decimal) == len(sizes) else None
        fix = (
            f"{config}(world_unit={finer!r}) (the same for every array of the tree), or "
            if finer
            else ""
        )
        raise MetadataError(
            f"{field} must be whole {world}; got {shown} from {source}. Nothing is rounded: "
            f"open it exactly with {fix}{config}({field}=...) in {world}"
        )
    if any(size != r * Fraction(world.nm) for size, r in zip(sizes, result, strict=True)):
        notes.append(
            f"{field} {shown} from {source}: read as {tuple(result)} {world} (within a "
            f"relative 1e-5)"
        )
    return tuple(result)


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
