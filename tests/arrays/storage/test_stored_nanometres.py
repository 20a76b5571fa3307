"""``stored_nanometres``: what a new dataset stores for lengths in a world unit, read back
exactly by the parsers (``to_decimal`` takes a float's shortest text)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import GeometryError
from dacapo.experiments.datasplits.datasets.arrays._storage.units import (
    stored_nanometres,
    to_decimal,
    to_world,
    world_unit,
)

WORLD_UNITS = ["nm", "0.1 nm", "0.01 nm", "0.001 nm", "pm", "angstrom", "0.5 nm", "um"]


@given(
    counts=st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=4),
    unit=st.sampled_from(WORLD_UNITS),
)
def test_stored_lengths_read_back_as_the_same_world_counts(counts: list[int], unit: str) -> None:
    world = world_unit(unit)
    stored = stored_nanometres(counts, world, what="offset")
    exact = [to_decimal(v, attribute="a", where="w") for v in stored]
    assert exact == [Decimal(c) * world.nm for c in counts]
    assert to_world(exact, world=world, source="s", notes=[]) == tuple(counts)
    assert all(isinstance(v, int) for v, e in zip(stored, exact, strict=True) if e % 1 == 0)


def test_whole_nanometres_stay_ints_and_fractions_are_the_decimal() -> None:
    assert stored_nanometres([524, 400, 0], world_unit("0.01 nm"), what="v") == [5.24, 4, 0]
    assert stored_nanometres([3], world_unit("um"), what="v") == [3000]


def test_a_length_no_json_number_holds_exactly_is_refused() -> None:
    with pytest.raises(
        GeometryError,
        match=r"offset \[1234567890123456789\] \(0\.01 nm\) is 12345678901234567\.89 nm, "
        r"which a JSON number cannot store exactly",
    ):
        stored_nanometres([1234567890123456789], world_unit("0.01 nm"), what="offset")
