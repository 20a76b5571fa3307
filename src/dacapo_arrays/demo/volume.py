"""A synthetic cell: an EM-like uint8 volume and its uint64 organelle labels.

Class ids follow the CellMap / COSEM numbering, so configs written for real CellMap crops
(binarize groupings such as ``("mito", [3, 4, 5])``) work on it unchanged.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

#: CellMap class id -> (short name, long name, EM intensity).
CLASSES: dict[int, tuple[str, str, int]] = {
    1: ("ecs", "Extracellular Space", 205),
    2: ("pm", "Plasma membrane", 55),
    3: ("mito_mem", "Mitochondria membrane", 45),
    4: ("mito_lum", "Mitochondria lumen", 105),
    8: ("ves_mem", "Vesicle membrane", 60),
    9: ("ves_lum", "Vesicle lumen", 185),
    16: ("er_mem", "ER membrane", 70),
    17: ("er_lum", "ER lumen", 150),
    20: ("ne_mem", "Nuclear envelope membrane", 60),
    28: ("nucpl", "Nucleoplasm", 135),
    35: ("cyto", "Cytosol", 165),
}


def _ellipsoid(grid: list[np.ndarray], center: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Normalized distance: < 1 inside the ellipsoid."""
    squares = sum(((g - c) / r) ** 2 for g, c, r in zip(grid, center, radii, strict=True))
    distance: np.ndarray = np.sqrt(squares)
    return distance


def _paint(labels: np.ndarray, distance: np.ndarray, shell: float, ids: tuple[int, int]) -> None:
    membrane, lumen = ids
    labels[distance < 1.0] = membrane
    labels[distance < 1.0 - shell] = lumen


def organelle_labels(shape: tuple[int, int, int], seed: int = 0) -> np.ndarray:
    """Cytosol with ER sheets, mitochondria, vesicles, a nucleus and extracellular space."""
    rng = np.random.default_rng(seed)
    grid = [g.astype(np.float32) for g in np.ogrid[: shape[0], : shape[1], : shape[2]]]
    z, y, x = grid
    labels = np.full(shape, 35, dtype=np.uint64)
    region = ndimage.gaussian_filter(rng.normal(size=shape).astype(np.float32), sigma=12)
    sheets = np.abs(np.sin(x / 5 + y / 13 + 2 * np.sin(z / 9)))
    er = region > np.quantile(region, 0.6)
    labels[er & (sheets < 0.16)] = 16
    labels[er & (sheets < 0.07)] = 17
    size = np.array(shape, dtype=np.float32)
    for _ in range(10):
        center = rng.uniform(0.15, 0.85, 3) * size
        radii = rng.permutation([rng.uniform(6, 9), rng.uniform(6, 9), rng.uniform(14, 24)])
        _paint(labels, _ellipsoid(grid, center, radii), 0.25, (3, 4))
    for _ in range(18):
        center = rng.uniform(0.05, 0.95, 3) * size
        _paint(labels, _ellipsoid(grid, center, np.full(3, rng.uniform(2.5, 4))), 0.4, (8, 9))
    nucleus = _ellipsoid(grid, size * [0.5, 0.3, 0.3], size * [0.3, 0.22, 0.22])
    _paint(labels, nucleus, 0.08, (20, 28))
    boundary = x + 0.4 * y + 8 * np.sin(z / 13) - 0.95 * size[2]
    labels[boundary > -1.5] = 2
    labels[boundary > 1.5] = 1
    return labels


def em_like(labels: np.ndarray, seed: int = 0) -> np.ndarray:
    """Class intensities, blurred like a microscope's point spread, plus noise: uint8."""
    rng = np.random.default_rng(seed)
    lookup = np.zeros(int(labels.max()) + 1, dtype=np.float32)
    for class_id, (_, _, intensity) in CLASSES.items():
        if class_id < lookup.size:
            lookup[class_id] = intensity
    image: np.ndarray = ndimage.gaussian_filter(lookup[labels], sigma=1.2)
    image += rng.normal(0, 9, labels.shape).astype(np.float32)
    em: np.ndarray = np.clip(image, 0, 255).astype(np.uint8)
    return em
