"""Chunk files that would read as fill values (a folder in place of a chunk, an N5 block
smaller than ``blockSize``): open, ``verify()`` and ``check`` say so; nothing reads zeros."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import zarr
from funlib.geometry import Roi
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    MetadataError,
    StorageError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.chunk_files import chunk_keys
from dacapo_arrays.testing.sources import zarr_source
from dacapo_arrays.testing.strategies import random_volume

ROI = Roi((0, 0, 0), (8, 8, 8))


def _stored(folder: Path, fmt: str, container: str = "c.zarr") -> ZarrArrayConfig:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(folder / container, "raw", format=fmt), ["z", "y", "x"],
        ROI, None, (1, 1, 1), "uint8", write_size=(4, 4, 4),
    )  # fmt: skip
    array[array.roi] = 5
    return ZarrArrayConfig(name="c", file_name=folder / container, dataset="raw")


#: (format, container, the path of chunk (1, 0, 1) in the dataset's folder)
LAYOUTS = [
    ("zarr2", "c.zarr", "1/0/1"),  # our writer nests zarr v2 chunks
    ("zarr3", "c.zarr", "c/1/0/1"),
    ("n5", "c.n5", "1/0/1"),  # N5 keys are x/y/z
]


@pytest.mark.parametrize(("fmt", "container", "chunk"), LAYOUTS)
def test_a_folder_in_place_of_a_chunk_is_a_storage_error(
    tmp_path: Path, fmt: str, container: str, chunk: str
) -> None:
    config = _stored(tmp_path, fmt, container)
    assert (config.create_array()[ROI] == 5).all()
    path = tmp_path / container / "raw" / chunk
    path.unlink()
    path.mkdir()
    with pytest.raises(StorageError, match=rf"chunk '{path}' is a folder, not a chunk file"):
        config.create_array()
    ok, report = config.verify()
    assert not ok
    assert f"chunk '{path}' is a folder" in report


def test_zarr_python_dotted_chunks_a_missing_one_and_a_folder(tmp_path: Path) -> None:
    """A missing chunk is not a fault (it reads as the fill value); a folder in its place is."""
    data = random_volume((8, 8, 8), "uint8", seed=1)
    zarr.open_array(str(tmp_path / "z.zarr"), mode="w", shape=data.shape, chunks=(4, 4, 4),
                    dtype=data.dtype, fill_value=0)[:] = data  # fmt: skip
    config = ZarrArrayConfig(name="z", file_name=tmp_path / "z.zarr", dataset="",
                             voxel_size=(1, 1, 1), offset=(0, 0, 0),
                             axes=["z", "y", "x"])  # fmt: skip
    (tmp_path / "z.zarr" / "0.0.0").unlink()
    read = config.create_array()[ROI]
    assert (read[:4, :4, :4] == 0).all()
    np.testing.assert_array_equal(read[4:, 4:, 4:], data[4:, 4:, 4:])
    (tmp_path / "z.zarr" / "0.0.0").mkdir()
    with pytest.raises(StorageError, match=r"z\.zarr/0\.0\.0' is a folder"):
        config.create_array()


def _set_block_size(attributes: Path, block_size: list[int]) -> None:
    document = json.loads(attributes.read_text())
    attributes.write_text(json.dumps({**document, "blockSize": block_size}))


@pytest.mark.parametrize("block_size", [[8, 8, 8], [4, 4, 8], [2, 2, 2]])
def test_an_n5_block_size_that_contradicts_the_blocks(
    tmp_path: Path, block_size: list[int]
) -> None:
    config = _stored(tmp_path, "n5", "c.n5")
    _set_block_size(tmp_path / "c.n5" / "raw" / "attributes.json", block_size)
    with pytest.raises(MetadataError, match=r"holds 4x4x4 voxels, but the blockSize") as caught:
        config.create_array()
    assert f"blockSize {block_size} in " in str(caught.value)
    assert "attributes.json" in str(caught.value)
    ok, report = config.verify()
    assert not ok
    assert "but the blockSize" in report


@pytest.mark.filterwarnings("ignore::FutureWarning")  # zarr's N5Store
@settings(max_examples=15, deadline=None)
@given(
    shape=st.tuples(*[st.integers(1, 11)] * 3),
    block=st.tuples(*[st.integers(1, 5)] * 3),
    writer=st.sampled_from(["tensorstore", "zarr"]),
)
def test_real_n5_writers_are_never_flagged(
    tmp_path_factory: pytest.TempPathFactory,
    shape: tuple[int, int, int],
    block: tuple[int, int, int],
    writer: str,
) -> None:
    """Blocks at the upper edge, cut to the data or whole (zarr's N5Store, tensorstore),
    agree with blockSize; reads equal the numpy truth."""
    folder = tmp_path_factory.mktemp("n5")
    data = random_volume(shape, "uint16", seed=sum(shape))
    if writer == "zarr":
        array = zarr.create(store=zarr.n5.N5Store(str(folder / "c.n5")), path="raw",
                            shape=shape, chunks=block, dtype="u2")  # fmt: skip
        array[:] = data
        config = ZarrArrayConfig(name="c", file_name=folder / "c.n5", dataset="raw",
                                 voxel_size=(1, 1, 1), offset=(0, 0, 0),
                                 axes=["z", "y", "x"])  # fmt: skip
    else:
        from dacapo.experiments.datasplits.datasets.arrays import NumpyArray

        truth = NumpyArray.from_np_array(data, Roi((0, 0, 0), shape), (1, 1, 1), ["z", "y", "x"])
        config = zarr_source(folder, truth, name="raw", container="c.n5", write_size=block)
    array = config.create_array()
    np.testing.assert_array_equal(array[array.roi], data)
    stored = json.loads((folder / "c.n5" / "raw" / "attributes.json").read_text())
    keys = list(chunk_keys("n5", stored, str(folder / "c.n5" / "raw")))
    assert keys
    assert all(entry.is_file() for entry, _ in keys)
