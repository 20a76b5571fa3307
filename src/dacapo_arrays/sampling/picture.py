"""A PNG of a few samples: the middle slice of the image with the targets overlaid.

Written with ``zlib`` alone (no imaging library): 8-bit RGB, one sample per panel, side by side.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from funlib.geometry import Roi

from .sampler import Sample

#: Overlay colours of target channels, in turn.
COLOURS = np.array(
    [(230, 25, 75), (60, 180, 75), (0, 130, 200), (245, 130, 48), (145, 30, 180)], float
)


def _middle_slice(roi: Roi, values: np.ndarray, z: int) -> tuple[np.ndarray, Roi]:
    """The ``(channels, y, x)`` slice of ``values`` at world ``z`` and its 2D ROI."""
    spatial = values.shape[-3:]
    voxel = roi.shape[0] // spatial[0]
    index = min(max((z - roi.begin[0]) // voxel, 0), spatial[0] - 1)
    plane = values.reshape((-1, *spatial))[:, index]
    return plane, Roi(roi.begin[1:], roi.shape[1:])


def panel(sample: Sample, image: str, targets: Sequence[str]) -> np.ndarray:
    """One ``(y, x, 3)`` uint8 panel: the image's middle z slice, targets blended on it."""
    roi, values = sample[image]
    z = roi.begin[0] + roi.shape[0] // 2
    plane, where = _middle_slice(roi, values, z)
    grey = plane[0].astype(float)
    low, high = float(grey.min()), float(grey.max())
    grey = (grey - low) / (high - low or 1.0) * 255
    rgb = np.repeat(grey[..., None], 3, axis=2)
    ys = where.begin[0] + (np.arange(grey.shape[0]) + 0.5) * where.shape[0] / grey.shape[0]
    xs = where.begin[1] + (np.arange(grey.shape[1]) + 0.5) * where.shape[1] / grey.shape[1]
    colour = 0
    for name in targets:
        target_roi, target = sample[name]
        channels, box = _middle_slice(target_roi, target, z)
        ty = ((ys - box.begin[0]) * channels.shape[1] // box.shape[0]).astype(int)
        tx = ((xs - box.begin[1]) * channels.shape[2] // box.shape[1]).astype(int)
        inside_y = (ty >= 0) & (ty < channels.shape[1])
        inside_x = (tx >= 0) & (tx < channels.shape[2])
        for channel in channels:
            on = np.zeros(grey.shape, bool)
            picked = channel[np.clip(ty, 0, channels.shape[1] - 1)][
                :, np.clip(tx, 0, channels.shape[2] - 1)
            ]
            on[np.ix_(inside_y, inside_x)] = picked[np.ix_(inside_y, inside_x)] > 0
            rgb[on] = 0.55 * rgb[on] + 0.45 * COLOURS[colour % len(COLOURS)]
            colour += 1
    zoom = max(1, -(-160 // min(rgb.shape[:2])))  # small windows: at least 160 px a side
    return rgb.clip(0, 255).astype(np.uint8).repeat(zoom, 0).repeat(zoom, 1)


def write_png(path: Path, rgb: np.ndarray) -> None:
    """``rgb`` (``(height, width, 3)`` uint8) as a PNG file."""
    height, width, _ = rgb.shape
    rows = b"".join(b"\0" + rgb[y].tobytes() for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 6))
        + chunk(b"IEND", b"")
    )


def picture(path: Path, samples: Sequence[Sample], image: str, targets: Sequence[str]) -> None:
    """Panels of ``samples`` side by side (padded to one height), written to ``path``."""
    panels = [panel(s, image, targets) for s in samples]
    height = max(p.shape[0] for p in panels)
    gap = np.full((height, 4, 3), 255, np.uint8)
    padded = []
    for p in panels:
        full = np.full((height, p.shape[1], 3), 255, np.uint8)
        full[: p.shape[0]] = p
        padded += [full, gap]
    write_png(path, np.concatenate(padded[:-1], axis=1))
