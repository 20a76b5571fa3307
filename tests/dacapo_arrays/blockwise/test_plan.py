from __future__ import annotations

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    ConfigError,
    GeometryError,
    NumpyArray,
    ROIError,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._storage.layout import default_chunk_shape
from dacapo_arrays.blockwise.plan import Plan, make_plan
from dacapo_arrays.blockwise.rundir import default_run_dir

CONFIG = ZarrArrayConfig(name="raw", file_name="in.zarr", dataset="raw")
TARGET = ArrayIdentifier("out.zarr", "raw")


def _array(shape=(20, 30, 40), voxel=(8, 4, 4), offset=(16, -8, 4), dtype="uint8", axes=None):
    data = np.zeros(shape, dtype=dtype)
    spatial = Coordinate(shape[-3:]) * Coordinate(voxel)
    return NumpyArray.from_np_array(
        data, Roi(offset, spatial), voxel, axes or ["c", "z", "y", "x"][-len(shape) :]
    )


def test_blocks_are_clipped_to_the_volume_and_levels_halve() -> None:
    plan = make_plan(
        CONFIG, _array(dtype="float32"), TARGET, block_shape=(16, 16, 16), pyramid_levels=2
    )
    assert [lv.dataset for lv in plan.levels] == ["raw/s0", "raw/s1", "raw/s2"]
    s0, s1, s2 = plan.levels
    assert s0.roi == Roi((16, -8, 4), (160, 120, 160))
    assert s0.block_shape == Coordinate(16, 16, 16)
    assert s0.num_blocks == 2 * 2 * 3
    assert s1.voxel_size == Coordinate(16, 8, 8)
    assert s1.roi == Roi((16, -8, 8), (160, 120, 152))  # snapped inwards to the coarser grid
    assert s1.block_shape == Coordinate(10, 15, 16)  # one chunk: as small as blocks get
    assert s2.voxel_size == Coordinate(32, 16, 16)
    assert s2.downsample == "mean"
    assert s0.downsample is None


def test_without_a_pyramid_the_output_is_a_multiscale_group_of_one_level() -> None:
    plan = make_plan(CONFIG, _array(dtype="uint64"), TARGET)
    assert [lv.dataset for lv in plan.levels] == ["raw/s0"]
    assert plan.group == "raw"
    level = plan.levels[0]
    assert level.chunk_shape == level.block_shape == Coordinate(20, 30, 40)  # 64^3, clipped
    named = make_plan(CONFIG, _array(dtype="uint64"), ArrayIdentifier("o.zarr", "a/raw/s0"))
    assert [lv.dataset for lv in named.levels] == ["a/raw/s0"]


def test_every_level_is_split_for_the_workers_down_to_one_chunk() -> None:
    big = _array(shape=(512, 512, 512), voxel=(1, 1, 1), offset=(0, 0, 0), dtype="float32")
    plan = make_plan(CONFIG, big, TARGET, pyramid_levels=3, chunk_shape=(64, 64, 64), workers=4)
    blocks = [lv.num_blocks for lv in plan.levels]
    chunks = [
        int(np.prod(-(-np.asarray(lv.roi.shape / lv.voxel_size) // 64))) for lv in plan.levels
    ]
    assert chunks == [512, 64, 8, 1]
    assert blocks == [64, 8, 4, 1]  # s0: 2x2x2 chunks; then >= 4 blocks while chunks allow
    assert all(b >= min(4, c) for b, c in zip(blocks, chunks, strict=True))
    one = make_plan(CONFIG, big, TARGET, pyramid_levels=3, chunk_shape=(64, 64, 64))
    assert one.fingerprint() == plan.fingerprint()  # the workers do not change the write
    given = make_plan(CONFIG, big, TARGET, block_shape=(256, 256, 256), chunk_shape=(64,) * 3)
    assert given.levels[0].num_blocks == 8


def test_default_chunks_are_about_two_megabytes_and_blocks_eight_chunks() -> None:
    assert default_chunk_shape(np.dtype("uint8"), None, 3) == Coordinate(128, 128, 128)
    assert default_chunk_shape(np.dtype("uint64"), None, 3) == Coordinate(64, 64, 64)
    assert default_chunk_shape(np.dtype("float32"), 8, 3) == Coordinate(32, 32, 32)
    assert default_chunk_shape(np.dtype("uint8"), None, 2) == Coordinate(256, 256)
    big = _array(shape=(300, 300, 300), voxel=(1, 1, 1), offset=(0, 0, 0))
    level = make_plan(CONFIG, big, TARGET).levels[0]
    assert level.block_shape == Coordinate(256, 256, 256)
    assert level.chunk_shape == Coordinate(128, 128, 128)
    level = make_plan(
        CONFIG, big, TARGET, block_shape=(64, 64, 128), chunk_shape=(32, 64, 64), workers=64
    ).levels[0]
    assert level.block_shape == Coordinate(64, 64, 128)
    assert level.chunk_shape == Coordinate(32, 64, 64)
    with pytest.raises(
        GeometryError,
        match=r"block_shape \(64, 64, 64\) is not a whole number of chunks \(48, 64, 64\)",
    ):
        make_plan(CONFIG, big, TARGET, block_shape=(64, 64, 64), chunk_shape=(48, 64, 64))


def test_a_single_channel_is_stored_without_c() -> None:
    plan = make_plan(CONFIG, _array(shape=(1, 4, 4, 4)), TARGET)
    assert plan.squeeze
    assert plan.axes == ["z", "y", "x"]
    assert plan.num_channels is None
    plan = make_plan(CONFIG, _array(shape=(3, 4, 4, 4)), TARGET)
    assert not plan.squeeze
    assert plan.axes == ["c", "z", "y", "x"]
    assert plan.num_channels == 3


def test_plan_round_trips_and_fingerprints_what_matters() -> None:
    plan = make_plan(CONFIG, _array(), TARGET, pyramid_levels=1, downsample="mode")
    again = Plan.from_json(plan.to_json())
    assert again == plan
    assert again.fingerprint() == plan.fingerprint()
    smaller = make_plan(CONFIG, _array(), TARGET, roi=Roi((16, -8, 4), (80, 120, 160)))
    assert smaller.fingerprint() != plan.fingerprint()


def test_requests_are_checked_with_the_fix() -> None:
    array = _array()
    with pytest.raises(ROIError, match=r"is not aligned with voxel size \(8, 4, 4\)"):
        make_plan(CONFIG, array, TARGET, roi=Roi((17, -8, 4), (80, 120, 160)))
    with pytest.raises(ROIError, match=r"is not inside array"):
        make_plan(CONFIG, array, TARGET, roi=Roi((0, 0, 0), (800, 120, 160)))
    with pytest.raises(GeometryError, match=r"block_shape \(16, 16\) must give one positive"):
        make_plan(CONFIG, array, TARGET, block_shape=(16, 16))
    with pytest.raises(
        GeometryError, match=r"pyramid level s4 would be empty.*at most 3 pyramid levels"
    ):
        make_plan(CONFIG, array, TARGET, pyramid_levels=6, downsample="mean")
    with pytest.raises(ValueError, match=r"pyramid_levels must be a whole number >= 0, got -1"):
        make_plan(CONFIG, array, TARGET, pyramid_levels=-1)


def test_a_pyramid_of_unknown_values_asks_how_to_downsample() -> None:
    """uint8 without metadata may be EM or class ids: the plan asks instead of guessing."""
    with pytest.raises(ConfigError, match=r"holds labels or intensities.*`--downsample mode`"):
        make_plan(CONFIG, _array(), TARGET, pyramid_levels=1)
    assert make_plan(CONFIG, _array(), TARGET).levels[0].downsample is None  # no pyramid: fine
    declared = make_plan(CONFIG, _array(), TARGET, pyramid_levels=1, downsample="mode")
    assert declared.levels[1].downsample == "mode"


def test_run_folder_sits_beside_a_local_container(tmp_path) -> None:
    local = default_run_dir(ArrayIdentifier(tmp_path / "out.zarr", "a/b"))
    assert local == tmp_path / "out.zarr.blocks" / "a" / "b"
    remote = default_run_dir(ArrayIdentifier("s3://bucket/x/out.zarr", "mito"))
    assert remote.parts[-2:] == ("out.zarr.blocks", "mito")


def test_relative_paths_become_absolute_for_workers_elsewhere(monkeypatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    relative = ZarrArrayConfig(name="raw", file_name="in.zarr", dataset="raw")
    remote = ZarrArrayConfig(name="raw", file_name="s3://bucket/in.zarr", dataset="raw")
    plan = make_plan(relative, _array(), ArrayIdentifier("out.zarr", "raw"))
    assert plan.config["file_name"] == str(tmp_path / "in.zarr")
    assert plan.container == str(tmp_path / "out.zarr")
    plan = make_plan(remote, _array(), ArrayIdentifier("gs://b/out.zarr", "raw"))
    assert plan.config["file_name"] == "s3://bucket/in.zarr"
    assert plan.container == "gs://b/out.zarr"
