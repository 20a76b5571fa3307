from __future__ import annotations

import pytest
from funlib.geometry import Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import GeometryError, format_roi
from dacapo_arrays.blockwise import ROIStringError, parse_roi

spans = st.lists(
    st.tuples(st.integers(-(10**6), 10**6), st.integers(1, 10**6)), min_size=1, max_size=4
)


@given(spans)
def test_begin_end_strings_round_trip(pairs: list[tuple[int, int]]) -> None:
    roi = Roi([b for b, _ in pairs], [s for _, s in pairs])
    plain = ",".join(f"{b}:{b + s}" for b, s in pairs)
    assert parse_roi(plain) == roi
    assert parse_roi(f"[{plain.replace(',', ', ')}]") == roi
    assert parse_roi(format_roi(roi)) == roi  # what `info` prints pastes back


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0:800,0:8a0", r"cannot read ROI '0:800,0:8a0': axis 1 is '0:8a0', expected begin:end"),
        ("0-800", r"axis 0 is '0-800', expected begin:end in world units \(nm\)"),
        ("0:800,80:80", r"axis 1 ends at 80, not after its begin 80"),
        ("", r"cannot read ROI '': it is empty; write e.g. '0:800,0:800,0:800'"),
        ("[]", r"it is empty"),
    ],
)
def test_bad_strings_say_what_and_how(text: str, message: str) -> None:
    with pytest.raises(ROIStringError, match=message):
        parse_roi(text)


def test_wrong_number_of_axes_is_refused() -> None:
    with pytest.raises(ROIStringError, match=r"has 2 axes but the array has 3 spatial axes"):
        parse_roi("0:8,0:8", dims=3)
    assert issubclass(ROIStringError, GeometryError)
    assert issubclass(ROIStringError, ValueError)
