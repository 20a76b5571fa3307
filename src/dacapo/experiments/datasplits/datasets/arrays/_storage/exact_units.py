"""Physical lengths in stored metadata (OME, ImageJ, DVID) as exact nanometres.

Values are kept as :class:`fractions.Fraction` parsed from their decimal text, so
``0.004 µm`` is exactly ``4 nm`` and ``3.2 nm`` stays ``16/5``: whether a value is a whole
number of nanometres is decided without floating-point noise, and never by truncation.
"""

from __future__ import annotations

from fractions import Fraction

#: Nanometres per unit, by every spelling the supported formats use.
NANOMETRES: dict[str, Fraction] = {
    "pm": Fraction(1, 1000),
    "picometer": Fraction(1, 1000),
    "picometre": Fraction(1, 1000),
    "å": Fraction(1, 10),
    "angstrom": Fraction(1, 10),
    "nm": Fraction(1),
    "nanometer": Fraction(1),
    "nanometre": Fraction(1),
    "µm": Fraction(1000),
    "μm": Fraction(1000),  # Greek mu, not the micro sign
    "um": Fraction(1000),
    "micron": Fraction(1000),
    "micrometer": Fraction(1000),
    "micrometre": Fraction(1000),
    "mm": Fraction(10**6),
    "millimeter": Fraction(10**6),
    "millimetre": Fraction(10**6),
    "cm": Fraction(10**7),
    "centimeter": Fraction(10**7),
    "centimetre": Fraction(10**7),
    "m": Fraction(10**9),
    "meter": Fraction(10**9),
    "metre": Fraction(10**9),
}


def nanometres_per(unit: str) -> Fraction | None:
    """Nanometres in one ``unit`` (``None`` for unknown units such as ``"pixel"``).

    >>> nanometres_per("micron"), nanometres_per("\\\\u00B5m"), nanometres_per("Nanometers")
    (Fraction(1000, 1), Fraction(1000, 1), Fraction(1, 1))
    >>> nanometres_per("pixel") is None
    True
    """
    key = unit.strip().replace("\\u00B5", "µ").replace("\\u00b5", "µ").lower()
    if key.endswith("s") and key[:-1] in NANOMETRES:  # "microns", "nanometers"
        key = key[:-1]
    return NANOMETRES.get(key)


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
