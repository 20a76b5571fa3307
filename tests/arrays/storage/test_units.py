from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import MetadataError
from dacapo.experiments.datasplits.datasets.arrays._storage.units import (
    NANOMETRES_PER,
    UNITLESS,
    factor,
    nanometres_per,
    whole_nanometres,
)

UNITS = sorted(u for u, f in NANOMETRES_PER.items() if f >= 1)


@given(
    nm=st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=4),
    unit=st.sampled_from(UNITS),
)
def test_whole_nanometres_survive_any_unit(nm: list[int], unit: str) -> None:
    """A length written in any unit (as a tool would: shortest float) comes back exact."""
    factor = NANOMETRES_PER[unit]
    written = [float(Decimal(v) / factor) for v in nm]
    assert whole_nanometres(written, unit, attribute="a", where="w") == tuple(nm)


@given(st.integers(1, 10**4), st.sampled_from([0.5, 0.25, 0.1, 0.001]))
def test_fractions_are_refused(whole: int, fraction: float) -> None:
    value = whole + fraction
    assume(fraction / value > 1e-5)  # closer ones are near-whole calibrations: snapped
    with pytest.raises(MetadataError, match=rf"got \[{value!r}\] \(nm\) from 'scale' in f\.json"):
        whole_nanometres([value], "nm", attribute="'scale'", where="f.json")


@pytest.mark.parametrize(
    ("values", "units", "expected"),
    [
        ([0.004, 0.004, 0.008], "micrometer", (4, 4, 8)),
        ([3, 4], ["µm", "nm"], (3000, 4)),
        ([3, 4], ["μm", None], (3000, 4)),  # Greek mu; no unit: nm
        ([40], "Å", (4,)),
        ([2.0], "pixel", (2,)),
        ([1e-8], "m", (10,)),
        ([12], "", (12,)),
    ],
)
def test_units(values, units, expected) -> None:
    assert whole_nanometres(values, units, attribute="a", where="w") == expected


def test_bad_units_and_values_are_named() -> None:
    with pytest.raises(MetadataError, match=r"unknown length unit 'parsec' of a in w; use one"):
        whole_nanometres([1], "parsec", attribute="a", where="w")
    with pytest.raises(MetadataError, match=r"a in w has 2 values but 3 units"):
        whole_nanometres([1, 2], ["nm"] * 3, attribute="a", where="w")
    with pytest.raises(MetadataError, match=r"a in w must hold numbers; got 'x'"):
        whole_nanometres([1, "x"], "nm", attribute="a", where="w")
    with pytest.raises(MetadataError, match=r"a in w must be a list of numbers, one per axis"):
        whole_nanometres(4, "nm", attribute="a", where="w")
    with pytest.raises(MetadataError, match=r"unit 4 of a in w is not a string"):
        whole_nanometres([4], 4, attribute="a", where="w")


@pytest.mark.parametrize("unit", sorted(NANOMETRES_PER))
def test_zarr_metadata_and_tiff_dvid_headers_share_one_unit_table(unit: str) -> None:
    """Any spelling, in any case, is the same length in both views (Decimal and Fraction)."""
    expected = Fraction(NANOMETRES_PER[unit])
    assert Fraction(factor(unit.upper(), attribute="a", where="w")) == expected
    assert nanometres_per(f" {unit.upper()} ") == expected


@pytest.mark.parametrize("unit", sorted(UNITLESS))
def test_unitless_names_are_nanometres_in_zarr_but_no_length_in_headers(unit: str) -> None:
    assert factor(unit, attribute="a", where="w") == 1
    assert nanometres_per(unit) is None
