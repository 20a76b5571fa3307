"""ZarrArray.create_from_array_identifier: layout, formats, reuse, and the metadata it writes."""

from __future__ import annotations

import json
import random
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    GeometryError,
    IncompatibleDatasetError,
    ZarrArray,
    ZarrArrayConfig,
)

VOXEL = Coordinate(4, 4, 4)


def create(container: Path, dataset: str = "out", fmt: str | None = None, **kwargs: Any):
    args: dict[str, Any] = {
        "axes": ["z", "y", "x"],
        "roi": Roi((0, 0, 0), (256, 256, 256)),
        "num_channels": None,
        "voxel_size": VOXEL,
        "dtype": np.uint8,
    }
    args.update(kwargs)
    return ZarrArray.create_from_array_identifier(
        ArrayIdentifier(container, dataset, format=fmt), **args
    )


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())  # type: ignore[no-any-return]


def test_default_chunks_are_power_of_two_cubes_of_about_2_mib(tmp_path: Path) -> None:
    big = Roi((0, 0, 0), VOXEL * 400)
    assert create(tmp_path / "a.zarr", roi=big).chunk_shape == (128, 128, 128)
    floats = create(tmp_path / "b.zarr", roi=big, num_channels=3, dtype=np.float32)
    assert read(tmp_path / "b.zarr/out/.zarray")["chunks"] == [3, 64, 64, 64]  # 3 MiB, nearest
    small = create(tmp_path / "c.zarr", roi=Roi((0, 0, 0), (64, 64, 64)), num_channels=3)
    assert small.chunk_shape == (16, 16, 16)  # clipped to the ROI
    assert floats.shape == (3, 400, 400, 400)


def test_write_size_sets_the_chunks(tmp_path: Path) -> None:
    array = create(tmp_path / "a.zarr", write_size=VOXEL * Coordinate(8, 16, 32))
    assert array.chunk_shape == (8, 16, 32)
    with pytest.raises(GeometryError, match=r"write_size \(6, 8, 8\) is not a multiple of voxel"):
        create(tmp_path / "b.zarr", write_size=(6, 8, 8))
    with pytest.raises(GeometryError, match=r"roi \[2:258, .* is not aligned with voxel_size"):
        create(tmp_path / "c.zarr", roi=Roi((2, 0, 0), (256, 256, 256)))


@pytest.mark.parametrize(("channels", "axes"), [(None, None), (1, None), (3, "c")])
def test_channels_are_stored_first_or_not_at_all(tmp_path: Path, channels, axes) -> None:
    array = create(tmp_path / "a.zarr", axes=["z", "y", "x", "c"], num_channels=channels)
    assert array.axes == (["c", "z", "y", "x"] if axes else ["z", "y", "x"])
    assert array.num_channels == (3 if axes else None)
    assert array.shape == ((3,) if axes else ()) + (64, 64, 64)


def test_zarr2_metadata_and_attributes(tmp_path: Path) -> None:
    roi = Roi((8, 16, 24), (64, 64, 64))
    create(tmp_path / "a.zarr", "pred/s0", roi=roi, num_channels=2, dtype=np.float32)
    zarray = read(tmp_path / "a.zarr/pred/s0/.zarray")
    assert zarray["compressor"] | {"blocksize": 0} == {
        "id": "blosc",
        "cname": "lz4",
        "clevel": 5,
        "shuffle": 1,
        "blocksize": 0,
    }
    assert zarray["dimension_separator"] == "/"
    assert read(tmp_path / "a.zarr/pred/s0/.zattrs") == {
        "resolution": [4, 4, 4],
        "voxel_size": [4, 4, 4],
        "offset": [8, 16, 24],
        "axes": ["c", "z", "y", "x"],
        "axis_names": ["c^", "z", "y", "x"],
        "units": ["nm", "nm", "nm"],
        "_ARRAY_DIMENSIONS": ["c^", "z", "y", "x"],
    }
    assert read(tmp_path / "a.zarr/.zgroup") == read(tmp_path / "a.zarr/pred/.zgroup")
    assert read(tmp_path / "a.zarr/pred/.zattrs")["multiscales"] == [
        {
            "axes": [
                {"name": "c", "type": "channel"},
                {"name": "z", "type": "space", "unit": "nanometer"},
                {"name": "y", "type": "space", "unit": "nanometer"},
                {"name": "x", "type": "space", "unit": "nanometer"},
            ],
            "datasets": [
                {
                    "path": "s0",
                    "coordinateTransformations": [
                        {"type": "scale", "scale": [1, 4, 4, 4]},
                        {"type": "translation", "translation": [0, 8, 16, 24]},
                    ],
                }
            ],
            "name": "pred",
            "version": "0.4",
        }
    ]


def test_zarr3_and_n5_metadata(tmp_path: Path) -> None:
    create(tmp_path / "a.zarr", "pred/s0", "zarr3", num_channels=2)
    array_doc = read(tmp_path / "a.zarr/pred/s0/zarr.json")
    assert array_doc["dimension_names"] == ["c", "z", "y", "x"]
    assert array_doc["attributes"]["offset"] == [0, 0, 0]
    group = read(tmp_path / "a.zarr/pred/zarr.json")
    assert group["attributes"]["ome"]["version"] == "0.5"
    assert "version" not in group["attributes"]["ome"]["multiscales"][0]
    n5 = create(tmp_path / "b.n5", "pred/s0", num_channels=2, roi=Roi((0, 4, 8), (8, 8, 8)))
    attributes = read(tmp_path / "b.n5/pred/s0/attributes.json")
    assert attributes["dimensions"] == [2, 2, 2, 2]
    assert attributes["pixelResolution"] == {"dimensions": [4, 4, 4], "unit": "nm"}
    assert attributes["offset"] == [8, 4, 0]
    assert attributes["axes"] == ["x", "y", "z", "c"]  # the N5 order; read back as c, z, y, x
    assert (n5.axes, n5.num_channels) == (["c", "z", "y", "x"], 2)
    # listed x, y, z, c the channel axis would come last, which OME-NGFF forbids: no block
    assert not (tmp_path / "b.n5/pred/attributes.json").exists()
    create(tmp_path / "b.n5", "plain/s0")
    plain = read(tmp_path / "b.n5/plain/attributes.json")["multiscales"][0]
    assert [a["name"] for a in plain["axes"]] == ["x", "y", "z"]


def test_the_format_must_match_the_container(tmp_path: Path) -> None:
    create(tmp_path / "a.zarr", "raw")
    with pytest.raises(
        IncompatibleDatasetError,
        match=r"container '.*a.zarr' is a zarr2 container; it cannot hold a zarr3 dataset",
    ):
        create(tmp_path / "a.zarr", "other", "zarr3")
    assert create(tmp_path / "b.zarr", "x", "zarr3")._format.name == "zarr3"
    assert create(tmp_path / "b.zarr", "y")._format.name == "zarr3"  # the container decides


def test_compatible_datasets_are_reused_incompatible_refused(tmp_path: Path) -> None:
    first = create(tmp_path / "a.zarr", name="first")
    first[first.roi] = 7
    again = create(tmp_path / "a.zarr", name="again", mode="r")
    assert (again.name, again.writable) == ("again", False)
    assert again[again.roi].min() == 7
    message = (
        r"dataset 'out' in '.*a.zarr' exists and differs from the requested one \(shape: "
        r"existing \(64, 64, 64\), requested \(32, 64, 64\); dtype: existing uint8, requested "
        r"uint16; offset: existing \(0, 0, 0\), requested \(128, 0, 0\)\); pass overwrite=True"
    )
    with pytest.raises(IncompatibleDatasetError, match=message):
        create(tmp_path / "a.zarr", roi=Roi((128, 0, 0), (128, 256, 256)), dtype=np.uint16)
    replaced = create(tmp_path / "a.zarr", dtype=np.uint16, overwrite=True)
    assert replaced.dtype == np.uint16
    assert replaced[replaced.roi].max() == 0
    cleared = create(tmp_path / "a.zarr", dtype=np.uint16, overwrite=True)
    assert cleared[cleared.roi].max() == 0  # overwrite clears even a compatible dataset


def test_a_group_is_never_replaced(tmp_path: Path) -> None:
    create(tmp_path / "a.zarr", "raw/s0")
    with pytest.raises(IncompatibleDatasetError, match=r"'raw' in container .* is a group"):
        create(tmp_path / "a.zarr", "raw", overwrite=True)


@pytest.mark.parametrize("fmt", ["zarr2", "zarr3", "n5"])
def test_pyramid_levels_all_appear_in_the_multiscales(tmp_path: Path, fmt: str) -> None:
    """CONTRACT: levels s0..sk created one by one (in any order) form one multiscale."""
    container = tmp_path / ("p.n5" if fmt == "n5" else "p.zarr")
    order = list(range(4))
    random.Random(3).shuffle(order)
    for level in order:
        voxel = VOXEL * 2**level
        roi = Roi((0, 0, 0), Coordinate(128, 128, 128))
        # (N5 with channels has no OME-NGFF multiscales: see docs/decisions.md)
        channels = None if fmt == "n5" else 2
        create(container, f"raw/s{level}", fmt, roi=roi, voxel_size=voxel, num_channels=channels)
    create(container, "raw/mask", fmt, roi=Roi((0, 0, 0), (128, 128, 128)))
    s2 = ZarrArrayConfig(name="s2", file_name=container, dataset="raw/s2").to_array()
    assert s2.multiscale_levels == [
        (f"raw/s{k}", VOXEL * 2**k, Coordinate(0, 0, 0)) for k in range(4)
    ]
    mask = ZarrArrayConfig(name="m", file_name=container, dataset="raw/mask").to_array()
    assert mask.multiscale_levels == [("raw/mask", VOXEL, Coordinate(0, 0, 0))]


def test_side_by_side_datasets_are_not_levels(tmp_path: Path) -> None:
    raw = create(tmp_path / "a.zarr", "raw")
    create(tmp_path / "a.zarr", "labels", dtype=np.uint64)
    assert raw.multiscale_levels == [("raw", VOXEL, Coordinate(0, 0, 0))]
    names = [m["name"] for m in read(tmp_path / "a.zarr/.zattrs")["multiscales"]]
    assert names == ["raw", "labels"]


def test_an_overwritten_level_updates_its_entry(tmp_path: Path) -> None:
    create(tmp_path / "a.zarr", "raw/s0")
    create(tmp_path / "a.zarr", "raw/s1", voxel_size=VOXEL * 2)
    create(tmp_path / "a.zarr", "raw/s1", voxel_size=VOXEL * 4, overwrite=True)
    levels = ZarrArray.open_from_array_identifier(
        ArrayIdentifier(tmp_path / "a.zarr", "raw/s0")
    ).multiscale_levels
    assert [(p, v) for p, v, _ in levels] == [("raw/s0", VOXEL), ("raw/s1", VOXEL * 4)]


def test_levels_created_concurrently_all_appear(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def make(level: int) -> None:
        try:
            voxel = VOXEL * 2**level
            create(
                tmp_path / "a.zarr",
                f"raw/s{level}",
                voxel_size=voxel,
                roi=Roi((0,) * 3, VOXEL * 128),
            )
        except BaseException as err:  # pragma: no cover - reported below
            errors.append(err)

    threads = [threading.Thread(target=make, args=(k,)) for k in range(7)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    paths = [
        d["path"] for d in read(tmp_path / "a.zarr/raw/.zattrs")["multiscales"][0]["datasets"]
    ]
    assert paths == [f"s{k}" for k in range(7)]


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # funlib's pydantic v1-style config
def test_other_tools_open_created_datasets(tmp_path: Path) -> None:
    from funlib.persistence import open_ds

    array = create(
        tmp_path / "a.zarr", "raw/s0", roi=Roi((8, 16, 24), (32, 32, 32)), num_channels=2
    )
    values = np.arange(np.prod(array.shape), dtype=np.uint8).reshape(array.shape)
    array[array.roi] = values
    with_zarr = zarr.open(str(tmp_path / "a.zarr"), mode="r")["raw/s0"]
    np.testing.assert_array_equal(with_zarr[:], values)
    with_funlib = open_ds(tmp_path / "a.zarr/raw/s0")
    assert with_funlib.voxel_size == VOXEL
    assert with_funlib.offset == Coordinate(8, 16, 24)
    assert with_funlib.axis_names == ["c^", "z", "y", "x"]
    np.testing.assert_array_equal(with_funlib[with_funlib.roi], values)
