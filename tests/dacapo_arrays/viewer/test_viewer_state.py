"""The viewer state: layers in order, a shared world coordinate space, the camera."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import neuroglancer
import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
from dacapo_arrays.viewer import ViewerError, build_viewer, load_arrays
from dacapo_arrays.viewer.state import (
    display_axes,
    global_axes,
    global_scales,
    hidden_duplicates,
    layer_names,
    stacking_order,
)

from .conftest import LABELS_ROI, RAW_ROI


@pytest.fixture(autouse=True)
def _server() -> Iterator[None]:
    neuroglancer.set_server_bind_address("127.0.0.1", 0)
    yield
    neuroglancer.stop()


def named(name: str, values: np.ndarray, voxel_size: tuple[int, ...], offset: tuple[int, ...]):
    axes = ["z", "y", "x"][-values.ndim :]
    roi = Roi(offset, tuple(s * v for s, v in zip(values.shape, voxel_size, strict=True)))
    return NumpyArray.from_np_array(values, roi, voxel_size, axes, name=name)


def test_layer_names_are_unique() -> None:
    arrays = [named(n, np.zeros((2, 2, 2)), (1, 1, 1), (0, 0, 0)) for n in ("a", "b", "a", "a")]
    arrays.append(NumpyArray(np.zeros((2, 2, 2))))
    assert layer_names(arrays) == ["a", "b", "a (2)", "a (3)", "NumpyArray"]


def test_global_space_has_the_finest_voxel_size_per_axis() -> None:
    coarse = named("coarse", np.zeros((2, 2, 2)), (40, 16, 16), (0, 0, 0))
    fine = named("fine", np.zeros((2, 2, 2)), (8, 32, 4), (0, 0, 0))
    plane = named("plane", np.zeros((2, 2)), (2, 8), (0, 0))
    axes = global_axes([coarse, fine, plane])
    assert axes == ["z", "y", "x"]
    assert global_scales([coarse, fine, plane], axes) == [8, 2, 4]
    assert display_axes(axes) == ["x", "y", "z"]
    assert display_axes(["y", "x"]) == ["x", "y"]


def test_build_viewer_lines_the_sample_up(sample: dict[str, Path]) -> None:
    arrays = load_arrays([sample["raw"], sample["labels"]])
    viewer = build_viewer(arrays, layout="xy", size=(800, 600))
    state = viewer.state
    assert [layer.name for layer in state.layers] == ["raw", "labels"]
    assert isinstance(state.layers["raw"].layer, neuroglancer.ImageLayer)
    assert isinstance(state.layers["labels"].layer, neuroglancer.SegmentationLayer)
    assert state.dimensions.names == ("z", "y", "x")
    np.testing.assert_allclose(state.dimensions.scales, [8e-9, 4e-9, 4e-9])
    assert list(state.display_dimensions) == ["x", "y", "z"]
    assert state.layout.type == "xy"
    centre = (np.asarray(RAW_ROI.begin) + np.asarray(RAW_ROI.end)) / 2
    np.testing.assert_allclose(state.position, centre / [8, 4, 4])
    # 768 nm of x = 192 global voxels fill 800 px with a 10 % margin.
    assert state.cross_section_scale == pytest.approx(192 / 800 * 1.1)
    labels_matrix = state.layers["labels"].layer.source[0].transform.matrix
    np.testing.assert_allclose(labels_matrix[:, 3] * 16, LABELS_ROI.begin)
    assert viewer.get_viewer_url().startswith("http://127.0.0.1:")


def test_position_is_in_world_nm(sample: dict[str, Path]) -> None:
    arrays = load_arrays([sample["raw"]])
    viewer = build_viewer(arrays, position=(80, 96, 400), layout="4panel")
    np.testing.assert_allclose(viewer.state.position, [10, 24, 100])
    assert viewer.state.layout.type == "4panel"


def test_bad_requests_raise(sample: dict[str, Path]) -> None:
    arrays = load_arrays([sample["raw"]])
    with pytest.raises(ViewerError, match="no arrays to show; pass at least one config file"):
        build_viewer([])
    with pytest.raises(
        ViewerError,
        match=r"position 1.0,2.0 has 2 values but the arrays have 3 spatial axes z,y,x; give "
        r"one world coordinate \(nm\) per axis, e.g. --position 0,0,0",
    ):
        build_viewer(arrays, position=(1.0, 2.0))
    with pytest.raises(
        ViewerError, match=r"cannot be shown in neuroglancer \(dtype complex64\); only bool"
    ):
        build_viewer([NumpyArray(np.zeros((2, 2, 2), np.complex64))])


def test_labels_draw_above_images_and_a_second_view_of_the_same_data_starts_hidden(
    sample: dict[str, Path],
) -> None:
    from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, CropArrayConfig

    raw_config = ArrayConfig.from_file(sample["raw"])
    labels, raw = load_arrays([sample["labels"], sample["raw"]])
    crop = CropArrayConfig(name="crop", source_array_config=raw_config, roi=RAW_ROI).to_array()
    assert stacking_order([labels, raw, crop]) == [raw, crop, labels]
    assert hidden_duplicates([raw, crop, labels]) == [False, True, False]
    viewer = build_viewer([labels, raw, crop])
    state = viewer.state
    assert [layer.name for layer in state.layers] == ["raw", "crop", "labels"]
    assert [layer.visible for layer in state.layers] == [True, False, True]


def test_view_takes_paths_and_a_pyramid_group_is_one_layer(tmp_path: Path) -> None:
    from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier
    from dacapo_arrays.blockwise import write
    from dacapo_arrays.testing.sources import zarr_source
    from dacapo_arrays.viewer.cli import load
    from dacapo_arrays.viewer.files import stop_all

    values = np.arange(8 * 16 * 16, dtype=np.float32).reshape(8, 16, 16)
    config = zarr_source(tmp_path, named("raw", values, (8, 8, 8), (0, 0, 0)), name="raw")
    out = tmp_path / "out.zarr"
    write(config, ArrayIdentifier(out, "raw"), pyramid_levels=1, workers=1, progress=False)
    write(config, ArrayIdentifier(out, "flat"), workers=1, progress=False)
    try:
        layers = load(str(out))
        assert [(a.name, url is not None) for a, url in layers] == [
            ("flat", False),
            ("raw", True),
        ]
        assert layers[1][1].url.endswith("/raw")
        ((single, url),) = load(str(out / "raw" / "s1"))
        assert (single.voxel_size, url) == ((16, 16, 16), None)
    finally:
        stop_all()
