"""N5 pyramids in the viewer: ours and one in n5-viewer layout, one layer each, read
through their levels in real Chromium, and placed where their ROI says.

The image is EM-like texture with one bright square; the view is centred on the square's
world position, so a layer shifted by its offset (neuroglancer's N5 source knows no offsets)
shows texture there instead of the square.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
import tensorstore as ts
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, NumpyArray
from dacapo_arrays.blockwise import write
from dacapo_arrays.testing.sources import zarr_source
from dacapo_arrays.viewer.browser import screenshot
from dacapo_arrays.viewer.cli import load
from dacapo_arrays.viewer.files import serve_container, stop_all
from dacapo_arrays.viewer.state import build_viewer

from .conftest import em_like
from .test_viewer_browser import _browser, rgb

pytestmark = pytest.mark.browser

SHAPE = (16, 256, 256)
#: The bright square: voxels [64, 128) in y and x of every z slice.
SQUARE = slice(64, 128)
SIZE = (400, 400)


def _image() -> np.ndarray:
    data = (em_like(SHAPE) // 2).astype(np.uint8)  # texture in [15, 115]
    data[:, SQUARE, SQUARE] = 255
    return data


def _square_centre(roi_begin: tuple[int, ...], voxel_size: tuple[int, ...]) -> list[float]:
    """World position (nm) of the square's centre."""
    middle = (SHAPE[0] / 2, (SQUARE.start + SQUARE.stop) / 2, (SQUARE.start + SQUARE.stop) / 2)
    return [b + m * v for b, m, v in zip(roi_begin, middle, voxel_size, strict=True)]


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float]]:
    """Our N5 pyramid s0..s2 of the image at an offset (a multiple of s2's voxel size)."""
    folder = tmp_path_factory.mktemp("n5")
    begin, voxel_size = (64, 512, 768), (8, 8, 8)
    truth = NumpyArray.from_np_array(
        _image(), Roi(begin, tuple(s * v for s, v in zip(SHAPE, voxel_size, strict=True))),
        voxel_size, list("zyx"),
    )  # fmt: skip
    config = zarr_source(folder, truth, name="raw", container="source.zarr")
    out = folder / "out.n5"
    write(config, ArrayIdentifier(out, "raw"), pyramid_levels=2, chunk_shape=(16, 32, 32),
          downsample="mean", workers=1, progress=False)  # fmt: skip
    return out, _square_centre(begin, voxel_size)


@pytest.fixture(scope="module")
def n5_viewer(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[float]]:
    """A pyramid as n5-viewer / BigDataViewer tools lay it out, written by tensorstore's N5
    driver: ``scales`` and ``pixelResolution`` (micrometres, x y z) on the group,
    ``downsamplingFactors`` on each level, no offset."""
    out = tmp_path_factory.mktemp("n5viewer") / "bdv.n5"
    level = _image()
    for k in range(3):
        if k:
            level = level.reshape(
                level.shape[0] // 2, 2, level.shape[1] // 2, 2, level.shape[2] // 2, 2
            ).mean(axis=(1, 3, 5)).astype(np.uint8)  # fmt: skip
        store = ts.open(
            {"driver": "n5", "kvstore": {"driver": "file", "path": str(out / f"c0/s{k}")},
             "metadata": {"dimensions": list(level.shape[::-1]), "blockSize": [32, 32, 16],
                          "dataType": "uint8", "compression": {"type": "gzip"}}},
            create=True,
        ).result()  # fmt: skip
        store.write(level.transpose()).result()
        attributes = out / f"c0/s{k}/attributes.json"
        document = json.loads(attributes.read_text())
        document["downsamplingFactors"] = [2**k] * 3
        attributes.write_text(json.dumps(document))
    (out / "c0" / "attributes.json").write_text(json.dumps({
        "scales": [[1, 1, 1], [2, 2, 2], [4, 4, 4]],
        "pixelResolution": {"unit": "um", "dimensions": [0.008, 0.008, 0.008]},
    }))  # fmt: skip
    (out / "attributes.json").write_text(json.dumps({"n5": "2.5.1"}))
    return out, _square_centre((0, 0, 0), (8, 8, 8))


def _view(group: Path, position: list[float], zoom: float, tmp_path: Path) -> tuple[set, float]:
    """The levels a 400x400 xy view of ``group`` read at ``zoom`` s0 voxels per screen
    pixel, centred on ``position``, and the brightness at the centre of the screenshot."""
    import neuroglancer

    _browser()
    container = group.parent
    ((array, url),) = load(str(group))
    assert url is not None
    assert url.url.startswith("n5://http://127.0.0.1:"), url
    neuroglancer.set_server_bind_address("127.0.0.1", 0)
    served = serve_container(container).served
    served.clear()
    try:
        viewer = build_viewer([array], layout="xy", size=SIZE, sources=[url], position=position)
        with viewer.txn() as state:
            state.cross_section_scale = zoom
            state.show_axis_lines = False  # they cross the centre checked below
        screenshot(viewer, tmp_path / "view.png", size=SIZE, timeout=120)
    finally:
        neuroglancer.stop()
        stop_all()
    image = rgb(tmp_path / "view.png").mean(axis=2)
    centre = image[SIZE[1] // 2 - 4 : SIZE[1] // 2 + 4, SIZE[0] // 2 - 4 : SIZE[0] // 2 + 4]
    pattern = rf"^/{re.escape(group.name)}/(s\d)/\d+/\d+/\d+$"
    levels = {m.group(1) for p in served if (m := re.match(pattern, p))}
    return levels, float(centre.mean())


@pytest.mark.parametrize("layout", ["ours", "n5_viewer"])
def test_an_n5_pyramid_is_one_layer_zoomed_out_reads_its_coarse_level_in_place(
    layout: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    container, position = request.getfixturevalue(layout)
    group = container / ("raw" if layout == "ours" else "c0")
    zoomed_out, bright = _view(group, position, 4.0, tmp_path)
    assert "s0" not in zoomed_out
    assert zoomed_out & {"s1", "s2"}
    assert bright > 200, "the bright square should be at its world position"
    close, bright = _view(group, position, 0.5, tmp_path)
    assert "s0" in close  # (coarser levels may be drawn first while s0 loads)
    assert bright > 240, "the bright square should be at its world position"
