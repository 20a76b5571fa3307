"""Every metadata convention, on files written the way the real tools write them.

Each ``tests/fixtures/metadata/*.json`` holds the documents of a container (``files``), the
dataset to open and what must come out (``expect``: geometry, or an ``error`` pattern). Each
fixture is checked twice: through the pure parsers, and by opening a real container on disk.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import MetadataError, ZarrArrayConfig
from dacapo.experiments.datasplits.datasets.arrays._storage.formats import (
    array_info,
    classify,
    probe_keys,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.inspect import parents_of
from dacapo.experiments.datasplits.datasets.arrays._storage.metadata import (
    read_geometry,
    resolve,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.nodes import MetadataInput, Node

FIXTURES = Path(__file__).parents[2] / "fixtures" / "metadata"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())  # type: ignore[no-any-return]


def meta_from_files(fixture: dict[str, Any]) -> MetadataInput:
    """What ``inspect_array`` reads, built from the fixture's documents without any I/O."""
    files, dataset = fixture["files"], fixture["dataset"]
    root = fixture["container"]
    kind, fmt = classify({k: files.get(k) for k in probe_keys(dataset)}, dataset)
    assert kind == "array"
    info = array_info(fmt, files[f"{dataset}/{fmt.array_key}"], "fixture")

    def node(path: str) -> Node:
        key = fmt.attrs_key(path)
        return Node(path, fmt.attrs_of(files.get(key)), f"{root}/{key}")

    return MetadataInput(
        array=node(dataset),
        parents=tuple(node(group) for group in parents_of(dataset)),
        shape=info.shape,
        reversed_axes=fmt.reversed_axes,
        dimension_names=info.dimension_names,
    )


def materialize(fixture: dict[str, Any], folder: Path) -> ZarrArrayConfig:
    container = folder / fixture["container"]
    for key, document in fixture["files"].items():
        path = container / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document))
    return ZarrArrayConfig(name="fixture", file_name=container, dataset=fixture["dataset"])


def test_there_is_a_fixture_for_every_convention() -> None:
    conventions = {re.match(r"(ome-ngff-0\.[45]|n5|zarr[23])", n).group(1) for n in NAMES}
    assert conventions == {"ome-ngff-0.4", "ome-ngff-0.5", "n5", "zarr2", "zarr3"}
    assert all(load(n)["about"] for n in NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_parsers_read_the_fixture(name: str) -> None:
    fixture = load(name)
    expect = fixture["expect"]
    meta = meta_from_files(fixture)
    if "error" in expect:
        with pytest.raises(MetadataError, match=expect["error"]):
            resolve(read_geometry(meta), meta.shape, None)
        return
    geometry = read_geometry(meta)
    resolved = resolve(geometry, meta.shape, None)
    assert resolved.axes == expect["axes"]
    assert resolved.voxel_size == Coordinate(expect["voxel_size"])
    assert resolved.offset == Coordinate(expect["offset"])
    if "convention" in expect:
        assert geometry.convention == expect["convention"]
    if "levels" in expect:
        whole = [lv for lv in geometry.levels if all(v % 1 == 0 for v in lv.voxel_size)]
        assert [[lv.path, list(lv.voxel_size), list(lv.offset)] for lv in whole] == (
            expect["levels"]
        )


@pytest.mark.parametrize("name", NAMES)
def test_zarr_array_opens_the_fixture(name: str, tmp_path: Path) -> None:
    fixture = load(name)
    expect = fixture["expect"]
    config = materialize(fixture, tmp_path)
    if "error" in expect:
        with pytest.raises(MetadataError, match=expect["error"]):
            config.create_array()
        ok, message = config.verify()
        assert not ok
        assert re.search(expect["error"], message)
        return
    array = config.create_array()
    assert array.axes == expect["axes"]
    assert array.voxel_size == Coordinate(expect["voxel_size"])
    assert array.roi.offset == Coordinate(expect["offset"])
    assert array.num_channels == expect.get("num_channels")
    shape = expect["shape"]
    assert array.shape == tuple(shape)
    if "roi" in expect:
        assert array.roi == Roi(*expect["roi"])
    if "levels" in expect:
        openable = expect.get("openable_levels", [lv[0] for lv in expect["levels"]])
        levels = [[p, list(v), list(o)] for p, v, o in array.multiscale_levels]
        assert levels == [lv for lv in expect["levels"] if lv[0] in openable]
    # no chunk exists: reading returns the fill value, and proves the handle opens
    corner = Roi(array.roi.offset, array.voxel_size)
    assert array[corner].size == (array.num_channels or 1)
