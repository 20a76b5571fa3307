"""``view`` in a real headless Chromium: the sample's raw and labels show where they should.

Both tests start ``python -m dacapo_arrays.viewer`` as a subprocess on zarr sample data (see
``conftest.py``): the raw fills the view, the labels its right half. The pixels are checked,
not just that a PNG exists: grey texture on the left, several segment colours on the right,
the border between them where the geometry puts it, and plain background around the data.
"""

from __future__ import annotations

import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from io import BytesIO
from pathlib import Path
from typing import IO

import numpy as np
import pytest
from funlib.geometry import Roi
from PIL import Image

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray
from dacapo.experiments.datasplits.datasets.arrays._neuroglancer import channel_colors
from dacapo_arrays.testing.sources import zarr_source
from dacapo_arrays.viewer.browser import CHROMIUM_FLAGS, BrowserError, find_browser

from .conftest import LABELS_ROI, RAW_ROI

pytestmark = pytest.mark.browser


def _browser() -> str:
    try:
        return find_browser()
    except BrowserError as err:
        pytest.skip(f"needs headless Chromium (.ci/run installs it): {err}")


def rgb(png: bytes | Path) -> np.ndarray:
    source = BytesIO(png) if isinstance(png, bytes) else png
    return np.asarray(Image.open(source).convert("RGB")).astype(np.int64)


def saturation(pixels: np.ndarray) -> np.ndarray:
    return pixels.max(axis=-1) - pixels.min(axis=-1)  # type: ignore[no-any-return]


def hue_bins(pixels: np.ndarray, min_share: float = 0.03) -> int:
    """How many 30-degree hue bins hold at least ``min_share`` of the coloured pixels."""
    r, g, b = (pixels[..., i].astype(float) for i in range(3))
    hue = np.degrees(np.arctan2(np.sqrt(3) * (g - b), 2 * r - g - b)) % 360
    counts = np.bincount((hue[saturation(pixels) > 40] // 30).astype(int), minlength=12)
    return int((counts >= min_share * counts.sum()).sum())


def check_view(image: np.ndarray) -> None:
    """Raw as grey texture on the left, segments on the right, the border where it belongs."""
    height, width, _ = image.shape
    band = image[height // 4 : 3 * height // 4]  # away from the scale bar and the box edges
    textured = band.mean(axis=2).std(axis=0) > 5
    left, right = np.flatnonzero(textured)[[0, -1]]
    assert left < 0.1 * width, "the data should fill the view"
    assert right > 0.9 * width, "the data should fill the view"
    colourful = (saturation(band) > 40).mean(axis=0) > 0.5
    border = next(c for c in range(left, right) if colourful[c : c + 20].all())
    share = (LABELS_ROI.begin[2] - RAW_ROI.begin[2]) / RAW_ROI.shape[2]  # 0.5
    assert abs(border - (left + share * (right - left))) <= 6, (left, border, right)
    raw = band[:, left + 10 : border - 10]
    assert np.median(saturation(raw)) < 8, "the raw should be grey"
    assert raw.mean(axis=2).std() > 15, "the raw should show texture"
    labels = band[:, border + 10 : right - 10]
    assert (saturation(labels) > 40).mean() > 0.9, "the labels should be coloured"
    assert hue_bins(labels) >= 4, "several segments should have their own colours"
    top = image[: height // 16]  # above the data: plain background
    assert np.ptp(top.reshape(-1, 3), axis=0).max() <= 2


def view_command(sample: dict[str, Path]) -> list[str]:
    """``python -m dacapo_arrays.viewer`` on the sample, one 800x600 xy panel."""
    module = [sys.executable, "-m", "dacapo_arrays.viewer"]
    return [
        *module,
        str(sample["raw"]),
        str(sample["labels"]),
        "--layout",
        "xy",
        "--size",
        "800x600",
    ]


def test_view_screenshot_shows_raw_and_segments(sample: dict[str, Path], tmp_path: Path) -> None:
    _browser()
    out = tmp_path / "view.png"
    started = time.monotonic()
    done = subprocess.run(
        [*view_command(sample), "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {out}"
    image = rgb(out)
    assert image.shape == (600, 800, 3)
    check_view(image)
    print(f"screenshot in {time.monotonic() - started:.1f} s: {out}")


def test_channels_get_distinct_colours(tmp_path: Path) -> None:
    """A 6-channel mask (standing in for binarize/concat): stripe i shows channel i's hue."""
    _browser()
    masks = np.zeros((6, 4, 32, 96), np.uint8)
    for i in range(6):
        masks[i, :, :, 16 * i : 16 * i + 16] = 1
    truth = NumpyArray.from_np_array(
        masks, Roi((0, 0, 0), (32, 256, 768)), (8, 8, 8), list("czyx")
    )
    config = tmp_path / "masks.yaml"
    zarr_source(tmp_path, truth, name="masks").to_file(config)
    out = tmp_path / "masks.png"
    module = [sys.executable, "-m", "dacapo_arrays.viewer"]
    done = subprocess.run(
        [*module, str(config), "--layout", "xy", "--size", "660x300", "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    image = rgb(out)
    textured = (saturation(image) > 40).any(axis=0)
    left, right = np.flatnonzero(textured)[[0, -1]]
    stripe = (right - left) / 6
    for i, colour in enumerate(channel_colors(6)):
        centre = int(left + (i + 0.5) * stripe)
        pixels = image[100:200, centre - 5 : centre + 5]
        expected = np.array([int(colour[j : j + 2], 16) for j in (1, 3, 5)])
        assert hue_of(pixels.reshape(-1, 3).mean(axis=0)) == pytest.approx(
            hue_of(expected), abs=15
        ), (i, colour, pixels.reshape(-1, 3).mean(axis=0))


def hue_of(colour: np.ndarray) -> float:
    r, g, b = (float(c) for c in colour)
    return float(np.degrees(np.arctan2(np.sqrt(3) * (g - b), 2 * r - g - b)) % 360)


def _lines(stream: IO[str], into: queue.Queue[str]) -> None:
    for line in stream:
        into.put(line)


def test_view_serves_until_ctrl_c(sample: dict[str, Path], tmp_path: Path) -> None:
    """The served URL, opened by a user's browser (driven here by chromedriver), shows the data."""
    browser = _browser()
    driver_path = shutil.which("chromedriver")
    assert driver_path, "chromedriver is installed with chromium (package chromium-driver)"
    with subprocess.Popen(
        view_command(sample),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        try:
            _use_served_viewer(process, browser, driver_path, tmp_path)
        finally:
            if process.poll() is None:
                process.kill()


def _use_served_viewer(
    process: subprocess.Popen[str], browser: str, driver_path: str, tmp_path: Path
) -> None:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    first = lines.get(timeout=120)
    url = re.fullmatch(r"Serving 2 layer\(s\) at (http://127\.0\.0\.1:\d+/v/\w+/)\n", first)
    assert url, first
    assert lines.get(timeout=10) == "Press Ctrl-C to stop.\n"
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in (*CHROMIUM_FLAGS, "--no-sandbox", "--window-size=800,600"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        driver.get(url.group(1))
        image = _wait_for_segments(driver, timeout=120)
    finally:
        driver.quit()
    Image.fromarray(image.astype(np.uint8)).save(tmp_path / "served.png")
    height, width, _ = image.shape
    body = image[height // 5 :]  # below neuroglancer's layer bar
    assert (saturation(body[:, : width // 3]) > 40).mean() < 0.05
    assert body[:, width // 8 : width // 3].mean(axis=2).std() > 15
    assert hue_bins(body[:, 2 * width // 3 :]) >= 4
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 0, process.stderr.read()  # type: ignore[union-attr]
    assert lines.get(timeout=10) == "stopped\n"


def _wait_for_segments(driver: object, timeout: float) -> np.ndarray:
    """Screenshots until the right third shows segment colours (the chunks have arrived)."""
    deadline = time.monotonic() + timeout
    while True:
        image = rgb(driver.get_screenshot_as_png())  # type: ignore[attr-defined]
        right = image[image.shape[0] // 5 :, 2 * image.shape[1] // 3 :]
        if (saturation(right) > 40).mean() > 0.5 or time.monotonic() > deadline:
            return image
        time.sleep(0.5)
