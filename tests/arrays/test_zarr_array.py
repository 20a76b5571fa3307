"""ZarrArray: reads and writes by ROI against plain numpy, on real zarr v2 / v3 / N5 on disk."""

from __future__ import annotations

import json
import pickle
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import tensorstore as ts
from funlib.geometry import Coordinate, Roi
from hypothesis import given
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayIdentifier,
    ConfigError,
    ContainerNotFoundError,
    DatasetNotFoundError,
    GeometryError,
    MetadataError,
    ReadOnlyError,
    ROIError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.errors import StorageError
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.strategies import (
    DTYPES,
    aligned_rois,
    fixture_settings,
    random_volume,
    voxel_sizes,
)

FORMATS = ("zarr2", "zarr3", "n5")
SETTINGS = fixture_settings(25)


@st.composite
def stored_volumes(draw: st.DrawFn):
    """(format, values, voxel size, offset, axes, write size) of a random stored array."""
    fmt = draw(st.sampled_from(FORMATS))
    dtype = draw(st.sampled_from(DTYPES))
    dims = draw(st.sampled_from([2, 3]))
    voxel = draw(voxel_sizes(dims, max_size=6))
    shape = tuple(draw(st.lists(st.integers(1, 9), min_size=dims, max_size=dims)))
    channels = draw(st.sampled_from([None, 2, 3]))
    offset = Coordinate(draw(st.lists(st.integers(-4, 4), min_size=dims, max_size=dims))) * voxel
    chunk = Coordinate(draw(st.lists(st.integers(1, 4), min_size=dims, max_size=dims)))
    spatial = ["z", "y", "x"][-dims:]
    axes = spatial if channels is None else ["c", *spatial]
    values = random_volume(shape if channels is None else (channels, *shape), dtype)
    return fmt, values, voxel, offset, axes, chunk * voxel


def _store(folder: Path, fmt: str, values, voxel, offset, axes, write_size) -> ZarrArray:
    spatial = Coordinate(values.shape[-voxel.dims :])
    channels = values.shape[0] if axes[0] == "c" else None
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(folder / f"data.{'n5' if fmt == 'n5' else 'zarr'}", "raw", format=fmt),
        axes,
        Roi(offset, spatial * voxel),
        channels,
        voxel,
        values.dtype,
        write_size=write_size,
        name="raw",
    )
    array[array.roi] = values
    return array


def _index(roi: Roi, offset: Coordinate, voxel: Coordinate, channels: bool) -> tuple:
    begin = (roi.begin - offset) / voxel
    end = begin + roi.shape / voxel
    spatial = tuple(slice(b, e) for b, e in zip(begin, end, strict=True))
    return (slice(None), *spatial) if channels else spatial


@SETTINGS
@given(volume=stored_volumes(), data=st.data())
def test_reads_match_numpy_slicing(volume, data: st.DataObject) -> None:
    fmt, values, voxel, offset, axes, write_size = volume
    with tempfile.TemporaryDirectory() as folder:
        array = _store(Path(folder), fmt, values, voxel, offset, axes, write_size)
        again = ZarrArrayConfig(name="raw", file_name=array.file_name, dataset="raw").to_array()
        assert again.axes == axes
        assert again.dtype == values.dtype
        for _ in range(3):
            roi = data.draw(aligned_rois(again.roi, voxel))
            got = again[roi]
            assert got.dtype == values.dtype
            np.testing.assert_array_equal(got, values[_index(roi, offset, voxel, axes[0] == "c")])


@SETTINGS
@given(volume=stored_volumes(), data=st.data())
def test_unaligned_writes_change_exactly_their_voxels(volume, data: st.DataObject) -> None:
    fmt, values, voxel, offset, axes, write_size = volume
    expected = values.copy()
    with tempfile.TemporaryDirectory() as folder:
        array = _store(Path(folder), fmt, values, voxel, offset, axes, write_size)
        for seed in range(2):
            roi = data.draw(aligned_rois(array.roi, voxel))
            index = _index(roi, offset, voxel, axes[0] == "c")
            patch = random_volume(expected[index].shape, str(values.dtype), seed + 7)
            array[roi] = patch
            expected[index] = patch
        np.testing.assert_array_equal(array[array.roi], expected)


@st.composite
def zarr_python_volumes(draw: st.DrawFn):
    """(values, chunks, fill value, written region, voxel size, offset) for zarr-python 2."""
    dtype = draw(st.sampled_from(DTYPES))
    dims = draw(st.sampled_from([2, 3]))
    shape = tuple(draw(st.lists(st.integers(1, 9), min_size=dims, max_size=dims)))
    chunks = tuple(draw(st.lists(st.integers(1, 4), min_size=dims, max_size=dims)))
    # Only a box is written: chunks outside it are never stored and read as the fill value.
    begin = [draw(st.integers(0, n - 1)) for n in shape]
    end = [draw(st.integers(b + 1, n)) for b, n in zip(begin, shape, strict=True)]
    written = tuple(slice(b, e) for b, e in zip(begin, end, strict=True))
    fill = draw(st.sampled_from([0, 7]))
    voxel = draw(voxel_sizes(dims, max_size=6))
    offset = Coordinate(draw(st.lists(st.integers(-4, 4), min_size=dims, max_size=dims))) * voxel
    values = random_volume(shape, dtype, draw(st.integers(0, 2**16)))
    return values, chunks, fill, written, voxel, offset


@SETTINGS
@given(volume=zarr_python_volumes(), data=st.data())
def test_reads_of_chunks_written_by_zarr_python(volume, data: st.DataObject) -> None:
    """Chunks and metadata written by zarr-python 2 (Blosc, its own chunk keys, missing
    chunks) read as the numpy array it was given, fill value where nothing was written."""
    import zarr

    values, chunks, fill, written, voxel, offset = volume
    expected = np.full(values.shape, fill, dtype=values.dtype)
    expected[written] = values[written]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "theirs.zarr"
        z = zarr.open(str(path), mode="w", path="raw", shape=values.shape, chunks=chunks,
                      dtype=values.dtype, fill_value=fill)  # fmt: skip
        z[written] = values[written]
        axes = ["z", "y", "x"][-len(values.shape) :]
        z.attrs.update({"voxel_size": list(voxel), "offset": list(offset), "axis_names": axes})
        array = ZarrArrayConfig(name="theirs", file_name=path, dataset="raw").to_array()
        assert array.dtype == values.dtype
        assert array.axes == axes
        assert array.roi == Roi(offset, Coordinate(values.shape) * voxel)
        np.testing.assert_array_equal(array[array.roi], expected)
        for _ in range(3):
            roi = data.draw(aligned_rois(array.roi, voxel))
            np.testing.assert_array_equal(array[roi], expected[_index(roi, offset, voxel, False)])


@dataclass(frozen=True)
class Theirs:
    """A dataset zarr-python 2 wrote, and the numpy values it was given."""

    config: ZarrArrayConfig
    values: np.ndarray


@pytest.fixture
def theirs(tmp_path: Path) -> Theirs:
    """uint16 values stored by zarr-python 2 in ``raw/s0``, 4^3 chunks, plain attributes."""
    import zarr

    values = random_volume((6, 10, 12), "uint16", seed=5)
    root = zarr.open_group(str(tmp_path / "theirs.zarr"), mode="w")
    z = root.create_dataset("raw/s0", shape=values.shape, chunks=(4, 4, 4), dtype="u2")
    z[...] = values
    z.attrs.update({"voxel_size": [8, 4, 4], "offset": [16, -8, 4], "axis_names": ["z", "y", "x"]})
    config = ZarrArrayConfig(name="theirs", file_name=tmp_path / "theirs.zarr", dataset="raw/s0")
    return Theirs(config, values)


@pytest.fixture
def raw(tmp_path: Path) -> ZarrArrayConfig:
    truth = numpy_truth(shape=(6, 10, 12), voxel_size=(8, 4, 4), offset=(16, -8, 4))
    return zarr_source(tmp_path, truth, name="raw", container="data.zarr", dataset="raw/s0")


def test_mode_r_is_read_only(raw: ZarrArrayConfig) -> None:
    array = ZarrArrayConfig(
        name="ro", file_name=raw.file_name, dataset=raw.dataset, mode="r"
    ).to_array()
    assert not array.writable
    assert array.mode == "r"
    with pytest.raises(ReadOnlyError, match=r"read-only \(opened with mode 'r'; open it with"):
        array[array.roi] = 0
    with pytest.raises(ReadOnlyError, match="cannot add metadata to ZarrArray 'ro'"):
        array.add_metadata({"a": 1})
    with pytest.raises(ValueError, match="does not support writing"):
        array.tensorstore[0, 0, 0] = 1


@pytest.mark.parametrize("mode", ["a", "r+", "w", None])
def test_other_modes_read_and_write_without_truncating(theirs: Theirs, mode) -> None:
    raw = theirs.config
    array = ZarrArrayConfig(name="rw", file_name=raw.file_name, dataset=raw.dataset, mode=mode)
    opened = array.to_array()
    assert opened.writable
    np.testing.assert_array_equal(opened[opened.roi], theirs.values)


def test_invalid_mode_is_refused(raw: ZarrArrayConfig) -> None:
    config = ZarrArrayConfig(name="x", file_name=raw.file_name, dataset=raw.dataset, mode="rw")
    message = r"mode 'rw' of ZarrArrayConfig 'x' is not one of r, r\+, a, w; use 'r' to read"
    with pytest.raises(ConfigError, match=message):
        config.to_array()
    ok, text = config.verify()
    assert not ok
    assert re.search(message, text)


def test_missing_container(tmp_path: Path) -> None:
    path = tmp_path / "nothing.zarr"
    config = ZarrArrayConfig(name="raw", file_name=path, dataset="raw")
    message = (
        rf"container '{re.escape(str(path))}' does not exist; check "
        r"ZarrArrayConfig.file_name of ZarrArray 'raw'"
    )
    with pytest.raises(ContainerNotFoundError, match=message):
        config.to_array()
    assert not path.exists()  # the original created an empty container here
    ok, text = config.verify()
    assert not ok
    assert text.startswith("$ (ZarrArrayConfig 'raw'): container")


def test_missing_dataset_lists_the_datasets_that_exist(raw: ZarrArrayConfig) -> None:
    zarr_source(
        Path(raw.file_name).parent,
        numpy_truth(shape=(3, 5, 6)),
        name="s1",
        container="data.zarr",
        dataset="raw/s1",
    )
    config = ZarrArrayConfig(name="labels", file_name=raw.file_name, dataset="labels/s0")
    message = (
        r"no dataset 'labels/s0' in container '.*data.zarr' \(found: 'raw/s0', 'raw/s1'\); "
        r"check ZarrArrayConfig.dataset of ZarrArray 'labels'"
    )
    with pytest.raises(DatasetNotFoundError, match=message):
        config.to_array()
    group = ZarrArrayConfig(name="g", file_name=raw.file_name, dataset="raw")
    with pytest.raises(
        DatasetNotFoundError,
        match=r"'raw' in container .* is a group, not an array \(its datasets: 'raw/s0', "
        r"'raw/s1'\); check ZarrArrayConfig.dataset",
    ):
        group.to_array()


def test_unreadable_metadata_and_chunks_name_the_file(raw: ZarrArrayConfig) -> None:
    folder = Path(raw.file_name) / raw.dataset
    chunk = next(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    chunk.write_bytes(b"not blosc")
    array = raw.to_array()  # opening reads no chunk
    assert raw.verify() == (True, "No validation for this Array")
    with pytest.raises(StorageError, match=r"cannot read ROI .* of ZarrArray\(.*\): .*blosc"):
        array[array.roi]
    (folder / ".zarray").write_text("{not json")
    with pytest.raises(MetadataError, match=r"metadata file '.*raw/s0/.zarray' is not valid JSON"):
        raw.to_array()
    document = {
        "zarr_format": 2,
        "shape": [6, 10, 12],
        "chunks": [6, 10, 12],
        "dtype": "<u1",
        "dimension_separator": "/",
    }  # as the chunks on disk are (see test_chunk_layout)
    (folder / ".zarray").write_text(json.dumps(document | {"compressor": {"id": "nope"}}))
    refused = r"compressor 'nope' of .*raw/s0/.zarray cannot be decoded here \(readable: blosc"
    with pytest.raises(MetadataError, match=refused):  # at opening, as verify() says
        raw.to_array()
    ok, message = raw.verify()
    assert not ok
    assert re.search(refused, message)


def test_writes_check_shape_and_dtype(raw: ZarrArrayConfig) -> None:
    array = raw.to_array()
    roi = Roi(array.roi.offset, array.voxel_size * 2)
    with pytest.raises(ValueError, match=r"shape \(3, 3, 3\) into ROI .*holds \(2, 2, 2\)"):
        array[roi] = np.zeros((3, 3, 3), np.uint8)
    with pytest.raises(TypeError, match=r"cannot write float64 values .* of dtype uint8"):
        array[roi] = np.zeros((2, 2, 2))
    with pytest.raises(ROIError, match="is not aligned with voxel size"):
        array[Roi(array.roi.offset + 1, array.voxel_size)] = 0


def test_snap_to_grid_keeps_the_data_origin(tmp_path: Path) -> None:
    """ORIGINAL §12.1: offset 2, voxel 2, snap 4: world 4 is voxel 1, not voxel 0."""
    values = np.arange(10, dtype=np.uint16)
    source = zarr_source(
        tmp_path,
        numpy_truth(shape=(10,), dtype="uint16", voxel_size=(2,), offset=(2,)),
        name="line",
    )
    array = ZarrArray.open_from_array_identifier(ArrayIdentifier(source.file_name, "line"))
    array[array.roi] = values
    snapped = ZarrArrayConfig(
        name="s", file_name=source.file_name, dataset="line", snap_to_grid=(4,)
    ).to_array()
    assert snapped.roi == Roi((4,), (16,))
    assert snapped[Roi((4,), (2,))].tolist() == [1]
    np.testing.assert_array_equal(snapped[snapped.roi], values[1:9])
    with pytest.raises(GeometryError, match=r"snap_to_grid \(4, 4\) of ZarrArray 's' has 2"):
        ZarrArrayConfig(
            name="s", file_name=source.file_name, dataset="line", snap_to_grid=(4, 4)
        ).to_array()
    with pytest.raises(GeometryError, match="leaves nothing of the ROI"):
        ZarrArrayConfig(
            name="s", file_name=source.file_name, dataset="line", snap_to_grid=(64,)
        ).to_array()


def test_axes_override_by_either_keyword(raw: ZarrArrayConfig, tmp_path: Path) -> None:
    by_alias = ZarrArrayConfig(
        name="r", file_name=raw.file_name, dataset=raw.dataset, axes=["a", "b", "x"]
    )
    by_name = ZarrArrayConfig(
        name="r", file_name=raw.file_name, dataset=raw.dataset, _axes=["a", "b", "x"]
    )
    assert by_alias == by_name
    assert by_alias.to_array().axes == ["a", "b", "x"]
    assert by_alias.to_dict()["_axes"] == ["a", "b", "x"]
    by_alias.to_file(tmp_path / "c.yaml")
    assert ArrayConfig.from_file(tmp_path / "c.yaml") == by_alias
    with pytest.raises(TypeError, match="pass the axes override once"):
        ZarrArrayConfig(name="r", file_name="x", dataset="d", axes=["x"], _axes=["x"])
    with pytest.raises(GeometryError, match=r"axes \['y', 'x'\] from ZarrArrayConfig.axes name 2"):
        ZarrArrayConfig(
            name="r", file_name=raw.file_name, dataset=raw.dataset, axes=["y", "x"]
        ).to_array()


@pytest.mark.parametrize("fmt", FORMATS)
def test_attrs_and_add_metadata_persist(tmp_path: Path, fmt: str) -> None:
    config = zarr_source(tmp_path, numpy_truth(), name="raw", format=fmt)
    array = config.to_array()
    assert array.attrs["offset"] == ([4, -8, 16] if fmt == "n5" else [16, -8, 4])
    array.add_metadata({"labels": {"mito": [1, 2]}, "note": "ok"})
    assert array.attrs["note"] == "ok"
    again = config.to_array()
    assert again.attrs["labels"] == {"mito": [1, 2]}
    assert again.voxel_size == array.voxel_size
    if fmt == "n5":
        with pytest.raises(MetadataError, match=r"cannot add attributes \['dataType'\] to N5"):
            again.add_metadata({"dataType": "uint16"})


def test_data_is_a_numpy_like_view(raw: ZarrArrayConfig) -> None:
    array = raw.to_array()
    full = array[array.roi]
    assert array.data.shape == full.shape
    np.testing.assert_array_equal(np.asarray(array.data[1:3]), full[1:3])
    array.data[0] = np.asarray(array.data[0]) + 1
    np.testing.assert_array_equal(array[array.roi][0], full[0] + 1)


def test_repr_and_spatial_axes(raw: ZarrArrayConfig) -> None:
    array = raw.to_array()
    assert repr(array) == str(array) == f"ZarrArray({raw.file_name}, raw/s0)"
    assert array.spatial_axes == ["z", "y", "x"]


@pytest.mark.parametrize(
    ("fmt", "channels"), [("zarr2", None), ("zarr3", 2), ("n5", None), ("n5", 3)]
)
def test_chunk_shape_is_spatial_and_drives_to_dask(tmp_path: Path, fmt, channels) -> None:
    shape = (10, 12, 8) if channels is None else (channels, 10, 12, 8)
    truth = numpy_truth(shape=shape, voxel_size=(2, 2, 2), offset=(0, 0, 0))
    config = zarr_source(tmp_path, truth, format=fmt, write_size=Coordinate(8, 10, 4))
    array = config.to_array()
    assert array.chunk_shape == (4, 5, 2)
    lazy = array.to_dask()
    assert lazy.chunks[-3:] == ((4, 4, 2), (5, 5, 2), (2, 2, 2, 2))
    np.testing.assert_array_equal(lazy.compute(), truth.data)


def test_n5_is_presented_z_y_x(tmp_path: Path) -> None:
    """N5 stores x, y, z: tensorstore shows it reversed; the array shows z, y, x again."""
    values = random_volume((2, 3, 4, 5), "uint16")  # c, z, y, x
    spec = {
        "driver": "n5",
        "kvstore": f"file://{tmp_path}/x.n5/raw/",
        "metadata": {"dataType": "uint16", "compression": {"type": "raw"}},
    }
    stored = ts.open(spec, create=True, shape=values.shape[::-1]).result()
    stored[...] = values.T
    document = json.loads((tmp_path / "x.n5/raw/attributes.json").read_text())
    document |= {"axes": ["x", "y", "z", "c"], "resolution": [4, 4, 40], "offset": [0, 8, 80]}
    (tmp_path / "x.n5/raw/attributes.json").write_text(json.dumps(document))
    array = ZarrArrayConfig(name="n5", file_name=tmp_path / "x.n5", dataset="raw").to_array()
    assert array.axes == ["c", "z", "y", "x"]
    assert array.num_channels == 2
    assert array.voxel_size == Coordinate(40, 4, 4)
    assert array.roi.offset == Coordinate(80, 8, 0)
    np.testing.assert_array_equal(array[array.roi], values)
    assert isinstance(array.tensorstore, ts.TensorStore)
    assert tuple(array.tensorstore.shape) == values.shape  # the handle is z, y, x too
    np.testing.assert_array_equal(array.tensorstore[1, 2].read().result(), values[1, 2])


def test_pickle_drops_the_handle_and_reopens(theirs: Theirs) -> None:
    array = theirs.config.to_array()
    np.testing.assert_array_equal(array[array.roi], theirs.values)  # the handle is open
    state = array.__getstate__()
    assert "_handle" not in state
    again = pickle.loads(pickle.dumps(array))
    np.testing.assert_array_equal(again[again.roi], theirs.values)


@pytest.mark.parametrize("kind", ["relative", "file-url"])
def test_relative_paths_and_file_urls(theirs: Theirs, kind, monkeypatch) -> None:
    path = Path(theirs.config.file_name)
    if kind == "relative":
        monkeypatch.chdir(path.parent)
        file_name = path.name
    else:
        file_name = path.as_uri()
    array = ZarrArrayConfig(name="r", file_name=file_name, dataset="raw/s0").to_array()
    assert array.roi == Roi((16, -8, 4), (48, 40, 48))
    np.testing.assert_array_equal(array[array.roi], theirs.values)


def test_open_from_array_identifier(raw: ZarrArrayConfig) -> None:
    array = ZarrArray.open_from_array_identifier(
        ArrayIdentifier(raw.file_name, raw.dataset), name="again"
    )
    assert array.name == "again"
    assert array.writable
    assert array.voxel_size == Coordinate(8, 4, 4)
