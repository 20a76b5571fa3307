"""Edge cases of the metadata parsers and of ``resolve``, on hand-made inputs (pure, no I/O)."""

from __future__ import annotations

from typing import Any

import pytest
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays import GeometryError, MetadataError
from dacapo.experiments.datasplits.datasets.arrays._storage import n5, ome_ngff, plain
from dacapo.experiments.datasplits.datasets.arrays._storage.metadata import (
    read_geometry,
    resolve,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.nodes import (
    Geometry,
    MetadataInput,
    Node,
)


def meta(
    attrs: dict[str, Any],
    shape: tuple[int, ...] = (4, 5, 6),
    group: dict[str, Any] | None = None,
    *,
    n5_order: bool = False,
) -> MetadataInput:
    parents = (Node("g", group or {}, "g/.zattrs"), Node("", {}, ".zattrs"))
    return MetadataInput(Node("g/s0", attrs, "g/s0/.zattrs"), parents, shape, n5_order)


def ome(axes: list[Any], scale: list[float], **extra: Any) -> dict[str, Any]:
    level = {"path": "s0", "coordinateTransformations": [{"type": "scale", "scale": scale}]}
    return {"multiscales": [{"version": "0.4", "axes": axes, "datasets": [level], **extra}]}


def test_first_convention_wins() -> None:
    attrs = {"resolution": [1, 1, 1], "transform": {"scale": [2, 2, 2]}}
    group = ome(["z", "y", "x"], [3, 3, 3])
    assert read_geometry(meta(attrs, group=group)).voxel_size == (3, 3, 3)
    assert read_geometry(meta(attrs)).voxel_size == (2, 2, 2)
    assert read_geometry(meta({"resolution": [1, 1, 1]})).voxel_size == (1, 1, 1)
    assert read_geometry(meta({})).convention == "no metadata"


def test_ome_ngff_time_axis_must_have_size_one() -> None:
    group = ome([{"name": "t", "type": "time"}, "z", "y", "x"], [1, 2, 2, 2])
    with pytest.raises(
        MetadataError, match=r"axes \['t', 'z', 'y', 'x'\] .* \(offending: 't' \(time, size 3\)\)"
    ):
        ome_ngff.parse(meta({}, (3, 4, 5, 6), group))
    found = ome_ngff.parse(meta({}, (1, 4, 5, 6), group))
    assert found is not None
    assert (found.squeeze, found.axes, found.voxel_size) == (1, ("z", "y", "x"), (2, 2, 2))


def test_ome_ngff_problems_are_named() -> None:
    two_channels = ome([{"name": "c", "type": "channel"}, "c2", "y", "x"], [1, 1, 1, 1])
    two_channels["multiscales"][0]["axes"][1] = {"name": "k", "type": "channel"}
    with pytest.raises(MetadataError, match="only one channel axis followed by space axes"):
        ome_ngff.parse(meta({}, (2, 2, 5, 6), two_channels))
    path_transform = ome(["z", "y", "x"], [1, 1, 1])
    path_transform["multiscales"][0]["datasets"][0]["coordinateTransformations"] = [
        {"type": "scale", "path": "scale.bin"}
    ]
    with pytest.raises(MetadataError, match=r"unsupported coordinate transformation .*inline"):
        ome_ngff.parse(meta({}, group=path_transform))
    with pytest.raises(MetadataError, match=r"the scale \[1, 1\] in dataset 's0' of g/.zattrs"):
        ome_ngff.parse(meta({}, group=ome(["z", "y", "x"], [1, 1])))
    with pytest.raises(MetadataError, match=r"'axes' in g/.zattrs name \['y', 'x'\] for a 3-D"):
        ome_ngff.parse(meta({}, group=ome(["y", "x"], [1, 1, 1])))


def test_ome_ngff_without_transforms_defers_and_unlisted_arrays_are_skipped() -> None:
    old = {
        "multiscales": [{"version": "0.3", "axes": ["z", "y", "x"], "datasets": [{"path": "s0"}]}]
    }
    assert ome_ngff.parse(meta({}, group=old)) is None
    other = ome(["z", "y", "x"], [1, 1, 1])
    other["multiscales"][0]["datasets"][0]["path"] = "s1"
    assert ome_ngff.parse(meta({}, group=other)) is None


def test_n5_per_dimension_resolution_drops_the_channel() -> None:
    attrs = {
        "resolution": [4, 4, 8, 1],
        "units": ["nm", "nm", "nm", ""],
        "axes": ["x", "y", "z", "c"],
    }
    found = n5.parse(meta(attrs, (3, 4, 5, 6), n5_order=True))
    assert found is not None
    assert (found.axes, found.voxel_size) == (("c", "z", "y", "x"), (8, 4, 4))
    assert n5.parse(meta(attrs)) is None  # only for N5


def test_plain_axis_spellings() -> None:
    assert plain.parse(meta({"axes": "zyx"})).axes == ("z", "y", "x")  # type: ignore[union-attr]
    assert plain.parse(meta({"axes": ["zyx"]})).axes == ("z", "y", "x")  # type: ignore[union-attr]
    found = plain.parse(meta({"axis_names": ["c^", "y", "x"]}, (2, 5, 6)))
    assert found is not None
    assert resolve(found, (2, 5, 6), None).axes == ["c", "y", "x"]
    with pytest.raises(MetadataError, match=r"axis 'b\^' in g/s0/.zattrs is not spatial and has"):
        resolve(plain.parse(meta({"axis_names": ["b^", "y", "x"]})), (4, 5, 6), None)  # type: ignore[arg-type]


def test_resolve_fills_defaults_and_checks() -> None:
    bare = Geometry("no metadata", "w")
    assert resolve(bare, (2, 3, 4, 5), None).axes == ["c", "z", "y", "x"]
    assert resolve(bare, (4, 5), None).axes == ["y", "x"]
    one_extra = Geometry("plain attributes", "w", voxel_size=(4, 4, 4), axes=("z", "y", "x"))
    assert resolve(one_extra, (2, 3, 4, 5), None).axes == ["c", "z", "y", "x"]
    assert resolve(one_extra, (3, 4, 5), ["a", "b", "c2"]).voxel_size == Coordinate(4, 4, 4)
    with pytest.raises(MetadataError, match=r"cannot name the axes of a 5-D array"):
        resolve(bare, (1, 2, 3, 4, 5), None)
    short = Geometry("plain attributes", "f", voxel_size=(4, 4))
    with pytest.raises(
        MetadataError, match=r"the voxel size \(4, 4\) from plain attributes in f has 2"
    ):
        resolve(short, (3, 4, 5), ["z", "y", "x"])
    shifted = Geometry("plain attributes", "f", voxel_size=(4, 4, 4), offset=(2, 0, 0))
    with pytest.raises(MetadataError, match=r"offset \(2, 0, 0\) from plain .* not a multiple"):
        resolve(shifted, (3, 4, 5), None)
    with pytest.raises(
        MetadataError, match=r"the voxel size \(0, 4, 4\) from .* must be positive"
    ):
        resolve(Geometry("plain attributes", "f", voxel_size=(0, 4, 4)), (3, 4, 5), None)
    repeated = Geometry("plain attributes", "f", axes=("x", "x", "y"))
    with pytest.raises(MetadataError, match=r"axes \['x', 'x', 'y'\] from .* repeat a name"):
        resolve(repeated, (3, 4, 5), None)
    with pytest.raises(GeometryError, match=r"from ZarrArrayConfig.axes put the channel axis"):
        resolve(bare, (3, 4, 5), ["z", "c", "x"])
