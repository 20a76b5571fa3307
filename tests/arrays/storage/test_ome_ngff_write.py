"""The multiscales a created dataset enters, as pure document updates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays import GeometryError
from dacapo.experiments.datasplits.datasets.arrays._storage.formats import N5, ZARR2, ZARR3
from dacapo.experiments.datasplits.datasets.arrays._storage.ome_ngff_write import (
    _number,
    updated_group,
)


def enter(document, fmt, name, voxel, axes=("z", "y", "x")):
    return updated_group(
        document,
        fmt,
        group_name="raw",
        name=name,
        axes=list(axes),
        voxel=Coordinate(voxel),
        offset=Coordinate((0,) * len(voxel)),
    )


def paths(entry):
    return [d["path"] for d in entry["datasets"]]


def test_levels_share_one_multiscale_sorted_finest_first() -> None:
    document = None
    for name, voxel in [("s2", (16, 16, 16)), ("s0", (4, 4, 4)), ("s1", (8, 8, 8))]:
        document = enter(document, ZARR2, name, voxel)
    (entry,) = document["multiscales"]
    assert (entry["name"], entry["version"], paths(entry)) == ("raw", "0.4", ["s0", "s1", "s2"])


def test_other_names_get_their_own_multiscale_and_foreign_entries_survive() -> None:
    foreign = {
        "multiscales": [{"name": "theirs", "axes": ["y", "x"], "datasets": [{"path": "0"}]}]
    }
    document = enter(foreign, ZARR2, "s0", (4, 4, 4))
    document = enter(document, ZARR2, "mask", (4, 4, 4))
    assert [(e["name"], paths(e)) for e in document["multiscales"]] == [
        ("theirs", ["0"]),
        ("raw", ["s0"]),
        ("mask", ["mask"]),
    ]


def test_a_level_with_other_axes_moves_to_a_new_multiscale() -> None:
    document = enter(None, ZARR2, "s0", (4, 4, 4))
    document = enter(document, ZARR2, "s0", (4, 4, 4), axes=("c", "z", "y", "x"))
    (entry,) = document["multiscales"]
    assert [a["name"] for a in entry["axes"]] == ["c", "z", "y", "x"]
    assert entry["datasets"][0]["coordinateTransformations"][0]["scale"] == [1, 4, 4, 4]


def test_zarr3_is_version_0_5_and_n5_lists_x_first() -> None:
    v3 = enter(None, ZARR3, "s0", (8, 4, 4))
    assert v3["node_type"] == "group"
    assert v3["attributes"]["ome"]["version"] == "0.5"
    assert "version" not in v3["attributes"]["ome"]["multiscales"][0]
    n5 = enter({"n5": "2.0.0"}, N5, "s0", (8, 4, 2))
    (entry,) = n5["multiscales"]
    assert [a["name"] for a in entry["axes"]] == ["x", "y", "z"]
    assert entry["datasets"][0]["coordinateTransformations"][0]["scale"] == [2, 4, 8]
    assert n5["n5"] == "2.0.0"


def translations(entry):
    return {d["path"]: d["coordinateTransformations"][1]["translation"] for d in entry["datasets"]}


def test_coarser_levels_are_written_centre_aligned() -> None:
    """s1 over s0 at the same corner: voxel centres half an s0 voxel further (as ngff-zarr and
    ome-zarr-py write); odd differences stay exact (x: 5 -> 10 nm is 2.5 nm)."""
    document = enter(None, ZARR2, "s0", (4, 4, 5))
    document = enter(document, ZARR2, "s1", (4, 8, 10))
    document = enter(document, ZARR2, "s2", (8, 16, 20))
    (entry,) = document["multiscales"]
    assert translations(entry) == {"s0": [0, 0, 0], "s1": [0, 2, 2.5], "s2": [2, 6, 7.5]}
    n5 = enter(enter(None, N5, "s0", (4, 4, 2)), N5, "s1", (8, 8, 2))
    assert translations(n5["multiscales"][0])["s1"] == [0, 2, 2]  # x, y, z


def test_levels_entered_in_any_order_end_centre_aligned() -> None:
    """Levels created concurrently arrive in any order: each update re-aligns every level to
    the finest listed, keeping its corner, so the result does not depend on the order."""
    for order in (["s2", "s1", "s0"], ["s1", "s2", "s0"], ["s0", "s2", "s1"]):
        document = None
        for name in order:
            document = enter(document, ZARR2, name, (4 * 2 ** int(name[1]),) * 3)
        entry = document["multiscales"][0]
        assert translations(entry) == {"s0": [0, 0, 0], "s1": [2, 2, 2], "s2": [6, 6, 6]}


def test_a_translation_no_json_number_holds_exactly_is_refused() -> None:
    assert (_number(Decimal("86.46")), _number(Decimal(4))) == (86.46, 4)
    with pytest.raises(GeometryError, match=r"translation 1234567890123456\.789 nm"):
        _number(Decimal("1234567890123456.789"))
