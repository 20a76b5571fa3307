"""TiffArray against plain numpy: every layout tifffile writes, metadata, errors, laziness."""

from __future__ import annotations

import ast
import os
import pickle
from pathlib import Path

import numpy as np
import pytest
import tifffile
from funlib.geometry import Coordinate, Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ConfigError,
    ContainerNotFoundError,
    GeometryError,
    MetadataError,
    ReadOnlyError,
    TiffArray,
    TiffArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.lazy import LazyView
from dacapo_arrays.testing.checks import assert_read_equals_numpy, read_in_a_spawned_process
from dacapo_arrays.testing.strategies import aligned_rois, fixture_settings, random_volume

SETTINGS = fixture_settings(40)

#: How tifffile lays a (z, y, x) stack out: contiguous, strips, tiles, compressed or not.
LAYOUTS = {
    "contiguous": {"photometric": "minisblack"},
    "big-endian": {"photometric": "minisblack", "byteorder": ">"},
    "strips-deflate": {"photometric": "minisblack", "rowsperstrip": 3, "compression": "zlib"},
    "tiles": {"photometric": "minisblack", "tile": (16, 16)},
    "tiles-deflate": {"photometric": "minisblack", "tile": (16, 16), "compression": "zlib"},
    "imagej": {"imagej": True, "metadata": {"axes": "ZYX"}},
    "ome-tiles": {
        "ome": True,
        "tile": (16, 32),
        "compression": "zlib",
        "metadata": {"axes": "ZYX"},
    },
}


def _open(path: Path, **fields: object) -> TiffArray:
    array = TiffArrayConfig(name="t", file_name=path, **fields).create_array()  # type: ignore[arg-type]
    assert isinstance(array, TiffArray)
    return array


# -- reads equal numpy --------------------------------------------------------------------------


@SETTINGS
@given(data=st.data())
def test_random_reads_equal_numpy(tmp_path: Path, data: st.DataObject) -> None:
    layout = data.draw(st.sampled_from(sorted(LAYOUTS)))
    dtypes = (
        ["uint8", "uint16", "float32"]
        if layout == "imagej"
        else ["uint8", "int16", "uint32", "float64"]
    )
    dtype = data.draw(st.sampled_from(dtypes))
    # y and x >= 5: tifffile's writer takes a trailing dimension of 1-4 for colour samples.
    shape = (
        data.draw(st.integers(1, 12)),
        data.draw(st.integers(5, 40)),
        data.draw(st.integers(5, 40)),
    )
    values = random_volume(shape, dtype, seed=data.draw(st.integers(0, 9)))
    path = tmp_path / f"{layout}.tif"
    tifffile.imwrite(path, values, **LAYOUTS[layout])  # type: ignore[arg-type]
    voxel = Coordinate(data.draw(st.lists(st.integers(1, 9), min_size=3, max_size=3)))
    offset = Coordinate(data.draw(st.lists(st.integers(-4, 4), min_size=3, max_size=3))) * voxel
    array = _open(path, voxel_size=voxel, offset=offset, axes=["z", "y", "x"])
    assert array.roi == Roi(offset, Coordinate(shape) * voxel)
    roi = data.draw(aligned_rois(array.roi, voxel))
    assert_read_equals_numpy(array, roi, values, offset, voxel)


@pytest.mark.parametrize(
    ("write", "axes", "to_array"),
    [
        (dict(ome=True, metadata={"axes": "ZCYX"}), ["c", "z", "y", "x"], (1, 0, 2, 3)),
        (dict(imagej=True, metadata={"axes": "ZCYX"}), ["c", "z", "y", "x"], (1, 0, 2, 3)),
        (dict(ome=True, tile=(16, 16), metadata={"axes": "CZYX"}), ["c", "z", "y", "x"], None),
    ],
    ids=["ome-zcyx", "imagej-zcyx", "ome-czyx-tiled"],
)
def test_channels_come_first_wherever_the_file_keeps_them(
    tmp_path: Path, write: dict[str, object], axes: list[str], to_array: tuple[int, ...] | None
) -> None:
    values = random_volume((4, 3, 20, 17), "uint8")
    tifffile.imwrite(tmp_path / "c.tif", values, **write)  # type: ignore[arg-type]
    array = _open(tmp_path / "c.tif")
    expected = values if to_array is None else values.transpose(to_array)
    assert array.axes == axes
    assert array.num_channels == expected.shape[0]
    np.testing.assert_array_equal(array[array.roi], expected)
    np.testing.assert_array_equal(array[Roi((1, 2, 3), (2, 5, 4))], expected[:, 1:3, 2:7, 3:7])


@pytest.mark.parametrize("planar", ["contig", "separate"])
def test_rgb_samples_become_a_leading_channel_axis(tmp_path: Path, planar: str) -> None:
    rgb = random_volume((21, 30, 3), "uint8")
    stored = rgb if planar == "contig" else np.moveaxis(rgb, -1, 0)
    tifffile.imwrite(
        tmp_path / "rgb.tif",
        stored,
        photometric="rgb",
        planarconfig=planar,
        rowsperstrip=4,
        compression="zlib",
    )
    array = _open(tmp_path / "rgb.tif")
    assert (array.axes, array.num_channels, array.voxel_size) == (["c", "y", "x"], 3, (1, 1))
    np.testing.assert_array_equal(
        array[Roi((5, 7), (9, 11))], np.moveaxis(rgb, -1, 0)[:, 5:14, 7:18]
    )


def test_a_single_2d_image(tmp_path: Path) -> None:
    values = random_volume((13, 9), "float32")
    tifffile.imwrite(tmp_path / "image.tif", values)
    array = _open(tmp_path / "image.tif", voxel_size=(2, 3), offset=(4, -3))
    assert (array.axes, array.roi, array.dims) == (["y", "x"], Roi((4, -3), (26, 27)), 2)
    np.testing.assert_array_equal(array[Roi((6, 0), (4, 6))], values[1:3, 1:3])


# -- metadata -----------------------------------------------------------------------------------


def test_imagej_calibration_gives_the_voxel_size_in_nm(tmp_path: Path) -> None:
    tifffile.imwrite(
        tmp_path / "ij.tif",
        np.zeros((3, 6, 5), np.uint8),
        imagej=True,
        resolution=(1 / 0.004, 1 / 0.008),  # pixels per µm along x, y
        metadata={"axes": "ZYX", "unit": "micron", "spacing": 0.04},
    )
    array = _open(tmp_path / "ij.tif")
    assert array.voxel_size == Coordinate(40, 8, 4)
    assert array.roi == Roi((0, 0, 0), (120, 48, 20))
    assert array.attrs["imagej_metadata"]["spacing"] == 0.04


def test_ome_physical_sizes_in_any_unit(tmp_path: Path) -> None:
    metadata = {
        "axes": "ZYX",
        "PhysicalSizeZ": 0.05,  # µm by default
        "PhysicalSizeY": 6,
        "PhysicalSizeYUnit": "nm",
        "PhysicalSizeX": 60,
        "PhysicalSizeXUnit": "Å",
    }
    tifffile.imwrite(tmp_path / "x.ome.tif", np.zeros((2, 6, 7), np.uint16), metadata=metadata)
    array = _open(tmp_path / "x.ome.tif")
    assert array.voxel_size == Coordinate(50, 6, 6)
    assert "PhysicalSizeZ" in array.attrs["ome_metadata"]


def test_the_config_wins_over_the_file(tmp_path: Path) -> None:
    metadata = {"axes": "ZYX", "PhysicalSizeZ": 0.0032, "PhysicalSizeY": 1, "PhysicalSizeX": 1}
    tifffile.imwrite(tmp_path / "x.ome.tif", np.zeros((2, 6, 7), np.uint8), metadata=metadata)
    array = _open(
        tmp_path / "x.ome.tif", voxel_size=(3, 2, 2), offset=(3, 2, -2), axes=["z", "y", "x"]
    )
    assert (array.voxel_size, array.roi.begin) == (Coordinate(3, 2, 2), Coordinate(3, 2, -2))


def test_fractional_nanometres_are_refused_not_truncated(tmp_path: Path) -> None:
    metadata = {
        "axes": "ZYX",
        "PhysicalSizeZ": 0.04,
        "PhysicalSizeY": 0.0032,
        "PhysicalSizeX": 0.0032,
    }
    tifffile.imwrite(tmp_path / "x.ome.tif", np.zeros((2, 6, 7), np.uint8), metadata=metadata)
    with pytest.raises(
        MetadataError,
        match=r"voxel_size must be whole nm; got \(40, 3\.2, 3\.2\) nm from OME-XML "
        r"PhysicalSizeZ/Y/X in '.*x\.ome\.tif'\. Nothing is rounded: open it exactly with "
        r"TiffArrayConfig\(world_unit='0\.1 nm'\)",
    ):
        _open(tmp_path / "x.ome.tif")
    exact = _open(tmp_path / "x.ome.tif", world_unit="0.1 nm")  # the fix the error names
    assert (exact.voxel_size, exact.world_unit) == (Coordinate(400, 32, 32), "0.1 nm")
    assert exact.attrs["dacapo_arrays:world_unit"] == "0.1 nm"


def test_near_whole_calibrations_snap_and_say_so(tmp_path: Path) -> None:
    """ImageJ stores 1/pixel-width: a 6 nm stack reads 6.000024 nm; Bio-Formats stores
    0.65 µm as float32 (0.6499999761581421 µm). Both open whole, the stored values noted."""
    ij = tmp_path / "ij.tif"
    tifffile.imwrite(
        ij,
        np.zeros((1, 3, 2, 5, 6), np.uint8),  # T=1, Z, C, Y, X
        imagej=True,
        resolution=(1 / 6.000024, 1 / 6.000024),
        metadata={"axes": "TZCYX", "unit": "nm", "spacing": 6.000024},
    )
    array = _open(ij)
    assert (array.axes, array.voxel_size, array.shape) == (
        ["c", "z", "y", "x"],
        Coordinate(6, 6, 6),
        (2, 3, 5, 6),
    )
    (note,) = array.attrs["dacapo_arrays:notes"]
    assert "6.000024" in note
    assert "read as (6, 6, 6) nm" in note
    ome = tmp_path / "bf.ome.tif"
    size = float(np.float32(0.65))
    metadata = {"axes": "ZYX", "PhysicalSizeZ": 1.0, "PhysicalSizeY": size, "PhysicalSizeX": size}
    tifffile.imwrite(ome, np.zeros((2, 6, 7), np.uint8), metadata=metadata)
    assert _open(ome).voxel_size == Coordinate(1000, 650, 650)


def test_size_one_extra_axes_are_left_out_and_noted(tmp_path: Path) -> None:
    """tifffile's QTZYXC with Q=T=C=1 opens as z, y, x; a TQZYXC file with Q=3 is refused
    with a hint whose axes open it."""
    data = np.arange(4 * 5 * 6, dtype=np.uint8).reshape(1, 1, 4, 5, 6, 1)
    tifffile.imwrite(tmp_path / "q.tif", data, metadata={"axes": "QTZYXC"})
    array = _open(tmp_path / "q.tif")
    assert (array.axes, array.shape) == (["z", "y", "x"], (4, 5, 6))
    np.testing.assert_array_equal(array[array.roi], data[0, 0, :, :, :, 0])
    assert array.attrs["dacapo_arrays:notes"] == [
        f"size-1 axes 'QTC' of TIFF file {str(tmp_path / 'q.tif')!r} left out"
    ]
    tifffile.imwrite(
        tmp_path / "q3.tif", np.zeros((1, 3, 4, 5, 6, 1), np.uint8), metadata={"axes": "TQZYXC"}
    )
    with pytest.raises(MetadataError, match=r"e\.g\. \['c', 'z', 'y', 'x'\]") as raised:
        _open(tmp_path / "q3.tif")
    hint = ast.literal_eval(str(raised.value).rsplit("e.g. ", 1)[1])
    assert _open(tmp_path / "q3.tif", axes=hint).num_channels == 3


def test_plain_files_default_to_unit_voxels_and_name_their_stack_axis_z(tmp_path: Path) -> None:
    tifffile.imwrite(tmp_path / "x.tif", np.zeros((5, 6, 7), np.uint8), photometric="minisblack")
    array = _open(tmp_path / "x.tif")
    assert (array.axes, array.voxel_size, array.roi) == (
        ["z", "y", "x"],
        Coordinate(1, 1, 1),
        Roi((0, 0, 0), (5, 6, 7)),
    )
    assert array.attrs == {"tiff_axes": "QYX"}


# -- errors -------------------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        ContainerNotFoundError,
        match=r"TIFF file '.*nothing\.tif' does not exist; check TiffArrayConfig\.file_name",
    ):
        _open(tmp_path / "nothing.tif")


def test_not_a_tiff(tmp_path: Path) -> None:
    (tmp_path / "x.tif").write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(
        MetadataError, match=r"'.*x\.tif' is not a TIFF file: it starts with b'\\x89PNG'"
    ):
        _open(tmp_path / "x.tif")


def test_axes_must_match_the_rank(tmp_path: Path) -> None:
    tifffile.imwrite(
        tmp_path / "x.tif", np.zeros((2, 3, 6, 7), np.uint8), ome=True, metadata={"axes": "ZCYX"}
    )
    with pytest.raises(
        ConfigError,
        match=r"axes \['z', 'y', 'x'\] name 3 dimensions but TIFF file '.*' holds 4 \(shape "
        r"\(2, 3, 6, 7\), TIFF axes 'ZCYX'\); give TiffArrayConfig\.axes one name per "
        r"dimension in file order, e\.g\. \['z', 'c', 'y', 'x'\]",
    ):
        _open(tmp_path / "x.tif", axes=["z", "y", "x"])


def test_axes_it_cannot_name(tmp_path: Path) -> None:
    tifffile.imwrite(
        tmp_path / "x.tif", np.zeros((2, 3, 6, 7), np.uint8), ome=True, metadata={"axes": "TZYX"}
    )
    with pytest.raises(
        MetadataError, match=r"cannot name the axes 'TZYX' .* set TiffArrayConfig\.axes"
    ):
        _open(tmp_path / "x.tif")
    array = _open(tmp_path / "x.tif", axes=["c", "z", "y", "x"])  # time points as channels
    assert array.num_channels == 2


def test_offset_must_be_whole_voxels(tmp_path: Path) -> None:
    tifffile.imwrite(tmp_path / "x.tif", np.zeros((2, 6, 7), np.uint8), photometric="minisblack")
    with pytest.raises(
        GeometryError,
        match=r"offset \(6, 4, 4\) of TIFF file '.*' is not a multiple of its voxel size "
        r"\(4, 4, 4\); set TiffArrayConfig\.offset to whole voxels, e\.g\. \(4, 4, 4\)",
    ):
        _open(tmp_path / "x.tif", voxel_size=(4, 4, 4), offset=(6, 4, 4))
    with pytest.raises(
        GeometryError, match=r"voxel_size \(4, 4\) has 2 entries but TIFF file .* has 3 spatial"
    ):
        _open(tmp_path / "x.tif", voxel_size=(4, 4))
    with pytest.raises(GeometryError, match=r"voxel_size \(0, 4, 4\) .* must be positive"):
        _open(tmp_path / "x.tif", voxel_size=(0, 4, 4))


def test_axes_field_refuses_a_string() -> None:
    with pytest.raises(ValueError, match=r"axes must be a list of names.*got 'zyx'"):
        TiffArrayConfig(name="t", file_name="x.tif", axes="zyx")  # type: ignore[arg-type]


def test_verify_reports_the_file_and_header_without_reading_voxels(tmp_path: Path) -> None:
    tifffile.imwrite(tmp_path / "x.tif", np.zeros((2, 6, 7), np.uint8), photometric="minisblack")
    assert TiffArrayConfig(name="t", file_name=tmp_path / "x.tif").verify() == (
        True,
        "No validation for this Array",
    )
    ok, message = TiffArrayConfig(name="t", file_name=tmp_path / "no.tif").verify()
    assert not ok
    assert message == f"$ (TiffArrayConfig 't'): TIFF file '{tmp_path / 'no.tif'}' does not exist"
    ok, message = TiffArrayConfig(name="t", file_name=tmp_path / "x.tif", axes=["y", "x"]).verify()
    assert not ok
    assert "axes ['y', 'x'] name 2 dimensions" in message
    (tmp_path / "dir.tif").mkdir()
    assert (
        "is a folder, not a TIFF file"
        in TiffArrayConfig(name="t", file_name=tmp_path / "dir.tif").verify()[1]
    )


def test_read_only(tmp_path: Path) -> None:
    tifffile.imwrite(tmp_path / "x.tif", np.zeros((2, 6, 7), np.uint8), photometric="minisblack")
    array = _open(tmp_path / "x.tif")
    assert not array.writable
    with pytest.raises(
        ReadOnlyError, match=r"read-only \(TIFF files are read-only; write to zarr"
    ):
        array[array.roi] = np.ones((2, 6, 7), np.uint8)


# -- laziness -----------------------------------------------------------------------------------


def _bytes_read() -> int:
    """Bytes this process has read through system calls (Linux ``/proc/self/io``)."""
    with open("/proc/self/io") as stats:
        return next(int(line.split()[1]) for line in stats if line.startswith("rchar"))


@pytest.mark.skipif(not os.path.exists("/proc/self/io"), reason="needs Linux /proc/self/io")
@pytest.mark.parametrize("layout", ["contiguous", "strips-deflate", "tiles-deflate", "imagej"])
def test_a_small_roi_reads_a_small_part_of_the_file(tmp_path: Path, layout: str) -> None:
    values = random_volume((64, 256, 256), "uint8")  # 4 MiB
    path = tmp_path / "big.tif"
    tifffile.imwrite(path, values, **LAYOUTS[layout])  # type: ignore[arg-type]
    array = _open(path)
    roi = Roi((30, 100, 100), (3, 20, 20))
    before = _bytes_read()
    got = array[roi]
    spent = _bytes_read() - before
    np.testing.assert_array_equal(got, values[30:33, 100:120, 100:120])
    # 3 of 64 pages; within them whole rows (contiguous), strips (3 rows) or tiles (16²).
    assert spent < 3 * 256 * 256, f"{spent} bytes read for a 3x20x20 ROI"
    assert spent < os.path.getsize(path) / 20


def test_data_is_a_lazy_numpy_like_view(tmp_path: Path) -> None:
    values = random_volume((3, 6, 7, 8), "uint16")  # stored z, c, y, x
    tifffile.imwrite(tmp_path / "x.tif", values, ome=True, metadata={"axes": "ZCYX"})
    array = _open(tmp_path / "x.tif")
    data = array.data
    expected = values.transpose(1, 0, 2, 3)
    assert isinstance(data, LazyView)
    assert (data.shape, data.dtype, data.ndim, len(data)) == (expected.shape, values.dtype, 4, 6)
    for key in [
        (0,),
        (slice(1, 4), 2),
        (..., slice(None, None, 3)),
        (-1, 0, slice(6, 0, -2), 5),
        (),
    ]:
        np.testing.assert_array_equal(data[key], expected[key])
    assert int(data[1, 2, 3, 4]) == expected[1, 2, 3, 4]
    np.testing.assert_array_equal(np.asarray(data), expected)
    with pytest.raises(TypeError, match=r"takes integers, slices and '\.\.\.'; got \[0, 1\]"):
        data[[0, 1]]
    with pytest.raises(IndexError, match="index 6 is out of bounds for axis 0 of size 6"):
        data[6]


# -- processes, threads, URLs -------------------------------------------------------------------


def test_pickled_arrays_reopen_the_file_in_another_process(tmp_path: Path) -> None:
    values = random_volume((4, 20, 20), "uint16")
    tifffile.imwrite(
        tmp_path / "x.tif", values, photometric="minisblack", tile=(16, 16), compression="zlib"
    )
    array = _open(tmp_path / "x.tif", voxel_size=(2, 1, 1))
    assert "_handle" not in pickle.loads(pickle.dumps(array))._stack.__dict__
    roi = Roi((2, 5, 5), (4, 12, 12))
    got = read_in_a_spawned_process(array, roi)
    np.testing.assert_array_equal(got, values[1:3, 5:17, 5:17])


def test_threaded_reads_through_dask(tmp_path: Path) -> None:
    values = random_volume((8, 40, 40), "uint8")
    tifffile.imwrite(
        tmp_path / "x.tif", values, photometric="minisblack", tile=(16, 16), compression="zlib"
    )
    array = _open(tmp_path / "x.tif")
    np.testing.assert_array_equal(array.to_dask((3, 7, 9)).compute(scheduler="threads"), values)


def test_a_file_behind_a_url_is_read_through_fsspec() -> None:
    from upath import UPath

    values = random_volume((3, 10, 12), "uint16")
    path = UPath("memory://tiff-test/x.tif")
    with path.open("wb") as file:
        tifffile.imwrite(
            file, values, photometric="minisblack", compression="zlib", rowsperstrip=2
        )
    try:
        array = _open(path)  # type: ignore[arg-type]
        np.testing.assert_array_equal(array[Roi((1, 2, 3), (2, 5, 6))], values[1:3, 2:7, 3:9])
        array._stack.close()
    finally:
        path.unlink()
