"""Writes on real daisy workers, compared with whole reads of the source."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    ResampledArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.kernels import downsample_mode
from dacapo_arrays.blockwise import OutputExistsError, write
from dacapo_arrays.testing.cases.resampled import block_mean
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _open(container: Path, dataset: str) -> ZarrArray:
    return ZarrArray.open_from_array_identifier(ArrayIdentifier(container, dataset))


@pytest.mark.parametrize("container", ["out.zarr", "out.n5"])
def test_several_workers_write_what_a_whole_read_gives(tmp_path: Path, labels, container) -> None:
    config, truth = labels
    target = ArrayIdentifier(tmp_path / container, "copy")
    workers = 2 if container.endswith(".zarr") else 1
    result = write(config, target, block_shape=(8, 16, 16), workers=workers, progress=False)
    out = _open(tmp_path / container, "copy/s0")
    assert (out.roi, out.voxel_size, out.dtype, out.axes) == (
        truth.roi,
        truth.voxel_size,
        truth.dtype,
        truth.axes,
    )
    np.testing.assert_array_equal(out[out.roi], truth[truth.roi])
    level = result.levels[0]
    assert (level.blocks, level.written, level.skipped) == (3 * 3 * 3, 27, 0)
    assert result.ok
    assert result.run_dir == tmp_path / f"{container}.blocks" / "copy"


def test_channels_and_a_sub_roi(tmp_path: Path) -> None:
    truth = numpy_truth(
        shape=(3, 10, 12, 14), dtype="float32", voxel_size=(4, 4, 4), offset=(0, 8, 4)
    )
    config = zarr_source(tmp_path, truth, name="raw")
    roi = Roi((8, 16, 12), (24, 32, 40))
    write(config, ArrayIdentifier(tmp_path / "out.zarr", "part"), roi=roi, block_shape=(4, 4, 4),
          workers=1, progress=False)  # fmt: skip
    out = _open(tmp_path / "out.zarr", "part/s0")
    assert out.roi == roi
    assert out.num_channels == 3
    assert out.axes == ["c", "z", "y", "x"]
    np.testing.assert_array_equal(out[roi], truth[roi])


def _reference_level(data: np.ndarray, method: str) -> np.ndarray:
    if method == "mode":
        return downsample_mode(data, 3)  # itself checked against counting, window by window
    return np.rint(block_mean(data.astype(np.float64), (2, 2, 2))).astype(data.dtype)


@pytest.mark.parametrize(
    ("dtype", "method", "levels"), [("uint64", "mode", 2), ("uint8", "mean", 1)]
)
def test_pyramid_levels_open_back(tmp_path: Path, dtype: str, method: str, levels: int) -> None:
    truth = numpy_truth(shape=(20, 24, 28), dtype=dtype, voxel_size=(8, 4, 4), offset=(8, 4, -4))
    config = zarr_source(tmp_path, truth, name="src")
    # uint8 without metadata is neither labels nor intensities: the user says which
    how = "auto" if dtype == "uint64" else method
    write(config, ArrayIdentifier(tmp_path / "out.zarr", "pyr"), block_shape=(8, 8, 8),
          pyramid_levels=levels, workers=levels, progress=False, downsample=how)  # fmt: skip
    below = _open(tmp_path / "out.zarr", "pyr/s0")
    np.testing.assert_array_equal(below[below.roi], truth[truth.roi])
    for k in range(1, levels + 1):
        level = _open(tmp_path / "out.zarr", f"pyr/s{k}")
        assert level.voxel_size == truth.voxel_size * 2**k
        assert level.dtype == truth.dtype
        assert level.axes == ["z", "y", "x"]
        assert below.roi.contains(level.roi)
        assert level.roi == below.roi.snap_to_grid(level.voxel_size, mode="shrink")
        expected = _reference_level(below[level.roi], method)
        np.testing.assert_array_equal(level[level.roi], expected)
        below = level


@pytest.mark.parametrize("dtype", ["float32", "uint16"])
def test_a_mean_level_holds_what_a_resampled_array_computes(tmp_path: Path, dtype: str) -> None:
    """The pyramid writer and ``ResampledArray`` share one block mean: same voxels, bit for bit."""
    truth = numpy_truth(shape=(12, 16, 20), dtype=dtype, voxel_size=(8, 4, 4), offset=(8, 4, -4))
    config = zarr_source(tmp_path, truth, name="src")
    write(config, ArrayIdentifier(tmp_path / "out.zarr", "pyr"), block_shape=(8, 8, 8),
          pyramid_levels=1, workers=1, progress=False, downsample="mean")  # fmt: skip
    level = _open(tmp_path / "out.zarr", "pyr/s1")
    s0 = ZarrArrayConfig(name="s0", file_name=tmp_path / "out.zarr", dataset="pyr/s0")
    resampled = ResampledArrayConfig(
        name="half", source_array_config=s0, upsample=(1, 1, 1), downsample=(2, 2, 2),
        interp_order=1,
    ).create_array()  # fmt: skip
    assert resampled.roi.contains(level.roi)
    np.testing.assert_array_equal(level[level.roi], resampled[level.roi])


def _writes_ome_ngff(tmp_path: Path) -> bool:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(tmp_path / "probe.zarr", "g/s0"), ["z", "y", "x"],
        Roi((0, 0, 0), (2, 2, 2)), None, (1, 1, 1), "uint8",
    )  # fmt: skip
    del array
    group = tmp_path / "probe.zarr" / "g" / ".zattrs"
    return group.exists() and "multiscales" in group.read_text()


def test_pyramid_is_one_ome_ngff_multiscale(tmp_path: Path, labels) -> None:
    if not _writes_ome_ngff(tmp_path):
        pytest.skip("ZarrArray does not write OME-NGFF multiscales yet (issue #3)")
    import json

    config, _ = labels
    write(config, ArrayIdentifier(tmp_path / "out.zarr", "pyr"), pyramid_levels=1,
          workers=1, progress=False)  # fmt: skip
    attrs = json.loads((tmp_path / "out.zarr" / "pyr" / ".zattrs").read_text())
    datasets = attrs["multiscales"][0]["datasets"]
    assert [d["path"] for d in datasets] == ["s0", "s1"]
    scales = [d["coordinateTransformations"][0]["scale"] for d in datasets]
    assert scales == [[8, 4, 4], [16, 8, 8]]


def test_an_existing_dataset_is_not_replaced_silently(tmp_path: Path, labels) -> None:
    config, truth = labels
    zarr_source(tmp_path, truth, name="other", container="other.zarr")
    target = ArrayIdentifier(tmp_path / "other.zarr", "other")  # not the source: see test_guard
    with pytest.raises(
        OutputExistsError,
        match=r"dataset 'other' in .* is an array, and this write makes a multiscale group",
    ):
        write(config, target, progress=False)
    write(config, ArrayIdentifier(tmp_path / "out.zarr", "x"), workers=1, progress=False)
    with pytest.raises(
        OutputExistsError, match=r"holds a different write .*replace it with overwrite=True"
    ):
        write(config, ArrayIdentifier(tmp_path / "out.zarr", "x"), block_shape=(8, 8, 8),
              progress=False)  # fmt: skip
    result = write(config, ArrayIdentifier(tmp_path / "out.zarr", "x"), block_shape=(8, 8, 8),
                   workers=1, overwrite=True, progress=False)  # fmt: skip
    assert result.levels[0].written == result.levels[0].blocks
    np.testing.assert_array_equal(
        _open(tmp_path / "out.zarr", "x/s0")[truth.roi], truth[truth.roi]
    )
