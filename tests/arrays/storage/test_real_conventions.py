"""Metadata conventions on files the real tools write: funlib.persistence >= 0.6, zarr's
N5Store with n5-viewer and CellMap attributes, OME-NGFF 0.6 and Bio-Formats calibrations."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import MetadataError, ZarrArrayConfig
from dacapo.experiments.datasplits.datasets.arrays._storage.units import NOTES


def _open(container: Path, dataset: str, **fields: object):  # type: ignore[no-untyped-def]
    config = ZarrArrayConfig(
        name=dataset, file_name=container, dataset=dataset, mode="r", **fields
    )
    return config.create_array()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # funlib's pydantic v1-style config
@pytest.mark.parametrize(
    ("names", "shape", "channels"),
    [
        (["c^", "z", "y", "x"], (2, 4, 5, 6), 2),
        (["c0^", "z", "y", "x"], (3, 4, 5, 6), 3),
        (["channel^", "z", "y", "x"], (2, 4, 5, 6), 2),
        (["sample^", "c^", "z", "y", "x"], (1, 2, 4, 5, 6), 2),
        (["sample^", "z", "y", "x"], (1, 4, 5, 6), None),
    ],
)
def test_funlib_axis_names(tmp_path: Path, names: list[str], shape, channels) -> None:
    from funlib.persistence import open_ds, prepare_ds

    written = prepare_ds(
        str(tmp_path / "f.zarr" / "raw"),
        shape=shape,
        offset=(40, 0, 8),
        voxel_size=(4, 2, 2),
        axis_names=names,
        units=["nm"] * 3,
        dtype="uint8",
        mode="w",
    )
    data = np.arange(np.prod(shape), dtype=np.uint8).reshape(shape)
    written[written.roi] = data
    array = _open(tmp_path / "f.zarr", "raw")
    theirs = open_ds(str(tmp_path / "f.zarr" / "raw"))
    assert array.axes == (["c"] if channels else []) + ["z", "y", "x"]
    assert array.num_channels == channels
    assert (array.voxel_size, array.roi) == (theirs.voxel_size, theirs.roi)
    np.testing.assert_array_equal(array[array.roi], theirs[theirs.roi].reshape(array.shape))


def test_non_spatial_axes_larger_than_one_are_refused(tmp_path: Path) -> None:
    z = zarr.open(str(tmp_path / "s.zarr"), mode="w", shape=(2, 4, 5, 6), dtype="u1")
    z.attrs.update({"axis_names": ["sample^", "z", "y", "x"], "voxel_size": [4, 4, 4]})
    with pytest.raises(MetadataError, match=r"axis 'sample\^' in .* has size 2; only size 1"):
        _open(tmp_path / "s.zarr", "")


def _zarr3_group(path: Path, attributes: dict) -> None:  # type: ignore[type-arg]
    path.mkdir(parents=True, exist_ok=True)
    document = {"zarr_format": 3, "node_type": "group", "attributes": attributes}
    (path / "zarr.json").write_text(json.dumps(document))


def test_ome_ngff_0_6_is_refused_by_version_never_read_as_nm(tmp_path: Path) -> None:
    """The 0.6 form (axes inside coordinateSystems) of a [4, 3, 2] µm scale."""
    import tensorstore as ts

    container = tmp_path / "v06.zarr"
    space = [{"name": a, "type": "space", "unit": "micrometer"} for a in "zyx"]
    _zarr3_group(
        container,
        {
            "ome": {
                "version": "0.6",
                "multiscales": [
                    {
                        "name": "image",
                        "coordinateSystems": [{"name": "physical", "axes": space}],
                        "datasets": [
                            {
                                "path": "0",
                                "coordinateTransformations": [
                                    {
                                        "type": "scale",
                                        "scale": [4, 3, 2],
                                        "input": "0",
                                        "output": "physical",
                                    }
                                ],
                            }
                        ],
                    }
                ],
            }
        },
    )
    spec = {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(container / "0")}}
    ts.open(spec, create=True, dtype="uint8", shape=[2, 3, 4]).result()
    with pytest.raises(
        MetadataError,
        match=r"OME-NGFF version '0\.6' in .*v06\.zarr/zarr\.json is not supported "
        r"\(supported: 0\.1, 0\.2, 0\.3, 0\.4, 0\.5\)",
    ):
        _open(container, "0")
    array = _open(
        container, "0", voxel_size=(4000, 3000, 2000), offset=(0, 0, 0), axes=list("zyx")
    )
    assert array.voxel_size == Coordinate(4000, 3000, 2000)  # the way the error names
    assert "OME-NGFF version '0.6'" in array.attrs[NOTES][0]


def _n5(path: Path, dataset: str, shape: tuple[int, ...], attributes: dict) -> zarr.Array:  # type: ignore[type-arg]
    array = zarr.create(
        store=zarr.n5.N5Store(str(path)), path=dataset, shape=shape, dtype="u2", chunks=shape
    )
    array[:] = np.arange(np.prod(shape)).reshape(shape)
    array.attrs.update(attributes)
    return array


@pytest.mark.filterwarnings("ignore::FutureWarning")  # zarr's N5Store
def test_n5_viewer_layouts(tmp_path: Path) -> None:
    """n5-viewer: pixelResolution on the root, c0/sN levels with downsamplingFactors (s0
    without), or the channel group's ``scales``."""
    root = tmp_path / "viewer.n5"
    zarr.open_group(zarr.n5.N5Store(str(root))).attrs.update(
        {"pixelResolution": {"dimensions": [0.004, 0.004, 0.008], "unit": "um"}}
    )
    _n5(root, "c0/s0", (4, 8, 8), {})
    _n5(root, "c0/s1", (2, 4, 4), {"downsamplingFactors": [2, 2, 2]})
    assert _open(root, "c0/s0").voxel_size == Coordinate(8, 4, 4)
    assert _open(root, "c0/s1").voxel_size == Coordinate(16, 8, 8)
    legacy = tmp_path / "legacy.n5"
    group = zarr.open_group(zarr.n5.N5Store(str(legacy)))
    group.create_group("c0").attrs.update(
        {"scales": [[1, 1, 1], [2, 2, 1]], "pixelResolution": [4, 4, 40]}
    )
    _n5(legacy, "c0/s1", (3, 4, 4), {})
    assert _open(legacy, "c0/s1").voxel_size == Coordinate(40, 8, 8)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_cellmap_n5_keeps_the_transform_translate_and_time_units(tmp_path: Path) -> None:
    transform = {
        "axes": ["z", "y", "x"],
        "ordering": "C",
        "scale": [4, 4, 4],
        "translate": [400, 800, 1200],
        "units": ["nm", "nm", "nm"],
    }
    _n5(
        tmp_path / "c.n5",
        "em/s0",
        (4, 4, 4),
        {"pixelResolution": {"dimensions": [4, 4, 4], "unit": "nm"}, "transform": transform},
    )
    array = _open(tmp_path / "c.n5", "em/s0")
    assert array.roi == Roi((400, 800, 1200), (16, 16, 16))
    _n5(
        tmp_path / "t.n5",
        "raw",
        (1, 4, 5, 6),
        {  # stored x, y, z, t
            "resolution": [2, 4, 8, 1],
            "units": ["nm", "nm", "nm", "s"],
        },
    )
    timed = _open(tmp_path / "t.n5", "raw")
    assert (timed.axes, timed.voxel_size, timed.shape) == (
        ["z", "y", "x"],
        Coordinate(8, 4, 2),
        (4, 5, 6),
    )  # t (size 1) left out


def _bioformats2raw(path: Path, scale: list[float], unit: str) -> None:
    z = zarr.open(str(path / "0" / "0"), mode="w", shape=(1, 1, 2, 3, 4), dtype="u1")
    z[:] = 7
    axes = [{"name": "t", "type": "time"}, {"name": "c", "type": "channel"}] + [
        {"name": a, "type": "space", "unit": unit} for a in "zyx"
    ]
    multiscale = {
        "version": "0.4",
        "axes": axes,
        "datasets": [
            {
                "path": "0",
                "coordinateTransformations": [{"type": "scale", "scale": [1, 1, *scale]}],
            }
        ],
    }
    zarr.open_group(str(path / "0")).attrs.update({"multiscales": [multiscale]})


def test_near_whole_and_really_fractional_calibrations(tmp_path: Path) -> None:
    """Bio-Formats stores 0.65 µm as float32: opens as 650 nm, the stored value noted; 85.2
    nm is refused naming the world unit that opens it exactly, which then does."""
    near = float(np.float32(0.65))
    _bioformats2raw(tmp_path / "near.zarr", [1.0, near, near], "micrometer")
    array = _open(tmp_path / "near.zarr", "0/0")
    assert array.voxel_size == Coordinate(1000, 650, 650)
    left_out, note = array.attrs[NOTES]
    assert repr(near) in note
    assert "read as (1000, 650, 650) nm" in note
    assert "shape (1, 1, 2, 3, 4) read as (1, 2, 3, 4)" in left_out  # t, not c
    _bioformats2raw(tmp_path / "frac.zarr", [0.5, 0.0852, 0.0852], "micrometer")
    with pytest.raises(MetadataError) as raised:
        _open(tmp_path / "frac.zarr", "0/0")
    message = str(raised.value)
    assert "got [1, 1, 0.5, 0.0852, 0.0852] (micrometer)" in message or "0.0852" in message
    fix = re.search(r"ZarrArrayConfig\(world_unit='([^']+)'\)", message)
    assert fix is not None
    assert fix.group(1) == "0.1 nm"
    exact = _open(tmp_path / "frac.zarr", "0/0", world_unit=fix.group(1))
    assert (exact.voxel_size, exact.world_unit) == (Coordinate(5000, 852, 852), "0.1 nm")
    np.testing.assert_array_equal(exact[exact.roi], np.full((1, 2, 3, 4), 7, np.uint8))


def test_an_offset_off_the_grid_names_the_override_that_opens_it(tmp_path: Path) -> None:
    z = zarr.open(str(tmp_path / "o.zarr"), mode="w", shape=(2, 3, 4), dtype="u1")
    z.attrs.update({"resolution": [3, 3, 3], "offset": [400, 3, 0]})
    with pytest.raises(
        MetadataError, match=r"offset \(400, 3, 0\) .* ZarrArrayConfig\(offset=\(399, 3, 0\)\)"
    ):
        _open(tmp_path / "o.zarr", "")
    assert _open(tmp_path / "o.zarr", "", offset=(399, 3, 0)).roi.begin == (399, 3, 0)
