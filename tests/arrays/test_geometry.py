from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import GeometryError, ROIError
from dacapo.experiments.datasplits.datasets.arrays._geometry import (
    check_request,
    format_roi,
    to_coordinate,
    to_roi,
    voxel_slices,
)
from dacapo_arrays.testing.strategies import aligned_rois, voxel_sizes


@given(st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=4))
def test_integers_and_whole_floats_pass_unchanged(values: list[int]) -> None:
    assert to_coordinate(values) == Coordinate(values)
    assert to_coordinate([float(v) for v in values]) == Coordinate(values)
    assert to_coordinate(np.array(values, dtype=np.int64)) == Coordinate(values)


@pytest.mark.parametrize("bad", [(1.7, 2, 3), (4, 4.5), [0.1]])
def test_fractions_are_refused_not_truncated(bad) -> None:
    with pytest.raises(GeometryError, match=r"would be truncated"):
        to_coordinate(bad, "voxel_size")


@pytest.mark.parametrize("bad", ["444", 4, None, [], [True, 2], ["a"]])
def test_non_sequences_are_refused(bad) -> None:
    with pytest.raises(GeometryError, match="must"):
        to_coordinate(bad)


def test_roi_from_pairs_and_errors() -> None:
    assert to_roi([[0, 4], [8, 8]]) == Roi((0, 4), (8, 8))
    assert to_roi(Roi((1,), (2,))) == Roi((1,), (2,))
    with pytest.raises(GeometryError, match="different dimensions"):
        to_roi([[0, 0], [1, 1, 1]])
    with pytest.raises(GeometryError, match="must not be negative"):
        to_roi([[0], [-1]])
    with pytest.raises(GeometryError, match=r"\(offset, shape\) pair"):
        to_roi("0:10")
    with pytest.raises(GeometryError, match="must be bounded"):
        to_roi(Roi((0, None), (1, None)))


def test_format_roi() -> None:
    assert format_roi(Roi((0, -8), (100, 16))) == "[0:100, -8:8] (nm)"
    assert format_roi(Roi((0,), (0,))) == "[empty ROI]"


ARRAY_ROI = Roi((0, 0, 0), (800, 800, 800))
VOXEL = Coordinate(8, 8, 8)


def test_misaligned_request_names_both_rois_and_the_fix() -> None:
    with pytest.raises(ROIError) as err:
        check_request(
            Roi((0, 0, 0), (100, 100, 100)), array_roi=ARRAY_ROI, voxel_size=VOXEL, name="raw"
        )
    assert str(err.value) == (
        "ROI [0:100, 0:100, 0:100] (nm) is not aligned with voxel size (8, 8, 8) of array 'raw' "
        "(ROI [0:800, 0:800, 0:800] (nm), voxel size (8, 8, 8)); snap it with "
        "roi.snap_to_grid((8, 8, 8))"
    )


def test_outside_and_wrong_dims_requests() -> None:
    with pytest.raises(ROIError, match=r"\[792:808, 0:8, 0:8\] \(nm\) is not inside array 'raw'"):
        check_request(
            Roi((792, 0, 0), (16, 8, 8)), array_roi=ARRAY_ROI, voxel_size=VOXEL, name="raw"
        )
    with pytest.raises(ROIError, match=r"has 2 dimensions, but array 'raw' .* has 3"):
        check_request(Roi((0, 0), (8, 8)), array_roi=ARRAY_ROI, voxel_size=VOXEL, name="raw")


@given(data=st.data())
def test_slices_of_aligned_rois_match_world_positions(data: st.DataObject) -> None:
    voxel = data.draw(voxel_sizes(3))
    origin = Coordinate(data.draw(st.lists(st.integers(-5, 5), min_size=3, max_size=3))) * voxel
    array_roi = Roi(origin, voxel * 10)
    roi = data.draw(aligned_rois(array_roi, voxel))
    slices = voxel_slices(roi, origin=origin, voxel_size=voxel)
    for s, b, e, v, o in zip(slices, roi.begin, roi.end, voxel, origin, strict=True):
        assert (s.start, s.stop) == ((b - o) // v, (e - o) // v)
