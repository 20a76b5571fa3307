"""Stored pyramids in the viewer: one layer, read through its levels, in real Chromium."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, NumpyArray
from dacapo_arrays.blockwise import write
from dacapo_arrays.testing.sources import zarr_source
from dacapo_arrays.viewer.cli import load

from .conftest import em_like, paths_served_for_a_view
from .test_viewer_browser import _browser, rgb, saturation

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def pyramid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 16 x 256 x 256 uint8 image written with levels s0..s2 (32³ chunks)."""
    folder = tmp_path_factory.mktemp("pyramid")
    truth = NumpyArray.from_np_array(
        em_like((16, 256, 256)), Roi((0, 0, 0), (128, 2048, 2048)), (8, 8, 8), list("zyx")
    )
    config = zarr_source(folder, truth, name="raw", container="source.zarr")
    out = folder / "out.zarr"
    write(config, ArrayIdentifier(out, "raw"), pyramid_levels=2, chunk_shape=(16, 32, 32),
          downsample="mean", workers=1, progress=False)  # fmt: skip
    return out


def _levels_read(out: Path, zoom: float | None, tmp_path: Path) -> set[str]:
    """The levels whose chunks a 400x400 view of the pyramid group read, at ``zoom`` s0
    voxels per screen pixel (``None``: fitted to the window, about 0.7)."""
    ((array, url),) = load(str(out / "raw"))
    assert url is not None
    assert url.url.startswith("zarr2://http://127.0.0.1:")
    served = paths_served_for_a_view(array, url, out, zoom, tmp_path)
    return {m.group(1) for p in served if (m := re.match(r"^/raw/(s\d)/\d+/\d+/\d+$", p))}


def test_a_pyramid_group_is_one_layer_and_zoomed_out_reads_its_coarse_level(
    pyramid: Path, tmp_path: Path
) -> None:
    zoomed_out = _levels_read(pyramid, 4.0, tmp_path)
    assert "s0" not in zoomed_out
    assert zoomed_out & {"s1", "s2"}
    close = _levels_read(pyramid, None, tmp_path)
    assert "s0" in close


def test_the_demos_suggested_view_shows_the_organelles(tmp_path: Path) -> None:
    """The ``view`` command the demo prints: the organelle overlay is visible over the EM
    (the 16 nm resampled EM, same data, starts hidden instead of covering it)."""
    _browser()
    demo = subprocess.run([sys.executable, "-m", "dacapo_arrays.cli", "demo", str(tmp_path)],
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert demo.returncode == 0, demo.stderr
    (command,) = [line.split() for line in demo.stdout.splitlines() if " view " in line]
    assert command[:2] == ["dacapo-arrays", "view"]
    out = tmp_path / "demo.png"
    done = subprocess.run(
        [sys.executable, "-m", "dacapo_arrays.cli", *command[1:], "--layout", "xy",
         "--size", "600x600", "--screenshot", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    image = rgb(out)
    data = image[60:540, 60:540]
    coloured = saturation(data) > 60
    assert coloured.mean() > 0.05, "the organelle overlay should show"
    grey = saturation(data) < 10
    assert grey.mean() > 0.3, "the EM should show around the organelles"
    assert np.median(data[grey].mean(axis=-1)) > 40
