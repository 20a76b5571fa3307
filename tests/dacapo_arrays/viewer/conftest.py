"""Sample data for the viewer tests: EM-like raw and block labels as zarr, misaligned grids.

The raw covers x in [64, 832) nm at voxel size (8, 4, 4); the labels, at (16, 16, 16), cover
its right half, x in [448, 832). Both span the same z and y range.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from funlib.geometry import Roi
from scipy.ndimage import gaussian_filter

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
from dacapo_arrays.testing.sources import zarr_source

RAW_ROI = Roi((16, 32, 64), (192, 512, 768))
LABELS_ROI = Roi((16, 32, 448), (192, 512, 384))


def em_like(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Smooth uint8 noise in [30, 230]: blobby texture, like membranes and vesicles."""
    noise = gaussian_filter(np.random.default_rng(seed).random(shape), 1.5)
    return ((noise - noise.min()) / np.ptp(noise) * 200 + 30).astype(np.uint8)


def block_labels(shape: tuple[int, ...], block: tuple[int, ...]) -> np.ndarray:
    """uint64 ids, one per block of ``block`` voxels, all non-zero and distinct."""
    grid = np.meshgrid(
        *(np.arange(s) // b for s, b in zip(shape, block, strict=True)), indexing="ij"
    )
    z, y, x = grid
    return (1 + z * 100 + y * 10 + x).astype(np.uint64)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Config files ``raw`` (uint8) and ``labels`` (uint64) of the sample, in one zarr."""
    folder = tmp_path_factory.mktemp("sample")
    raw = NumpyArray.from_np_array(em_like((24, 128, 192)), RAW_ROI, (8, 4, 4), ["z", "y", "x"])
    labels = NumpyArray.from_np_array(
        block_labels((12, 32, 24), (4, 8, 8)), LABELS_ROI, (16, 16, 16), ["z", "y", "x"]
    )
    paths = {}
    for name, truth in (("raw", raw), ("labels", labels)):
        paths[name] = folder / f"{name}.yaml"
        zarr_source(folder, truth, name=name).to_file(paths[name])
    return paths


def paths_served_for_a_view(
    array: Any, source: Any, container: Path | str, zoom: float | None, tmp_path: Path
) -> set[str]:
    """Show ``array`` (neuroglancer ``source``) in a 400x400 xy view in real Chromium, at
    ``zoom`` s0 voxels per screen pixel (``None``: fitted to the window), check that the
    picture shows something, and return the paths our file server for ``container`` was
    asked for."""
    import neuroglancer

    from dacapo_arrays.viewer.browser import screenshot
    from dacapo_arrays.viewer.files import serve_container, stop_all
    from dacapo_arrays.viewer.state import build_viewer

    from .test_viewer_browser import _browser, rgb

    _browser()
    neuroglancer.set_server_bind_address("127.0.0.1", 0)
    served = serve_container(str(container)).served
    served.clear()
    try:
        viewer = build_viewer([array], layout="xy", size=(400, 400), sources=[source])
        if zoom is not None:
            with viewer.txn() as state:
                state.cross_section_scale = zoom
        screenshot(viewer, tmp_path / "view.png", size=(400, 400), timeout=120)
    finally:
        neuroglancer.stop()
        stop_all()
    image = rgb(tmp_path / "view.png")
    assert image.mean(axis=2).std() > 5, "the image should show"
    return set(served)
