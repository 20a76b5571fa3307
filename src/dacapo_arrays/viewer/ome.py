"""Stored OME-NGFF pyramids in neuroglancer, placed where this project reads them.

Neuroglancer's zarr data source reads a pyramid's ``multiscales`` itself and takes every
level's ``translation`` as the *centre* of its voxel 0: level *k* starts at
``translation_k - scale_k / 2``. This project takes the finest level's translation as its
*corner* (``_storage/placement.py``, docs/decisions.md "Pyramid levels ..."), so, served
as is, a pyramid would be drawn half a finest voxel away from where ``info`` puts it and
from a layer of the same data served through the generic path. :func:`source_transform`
computes the one translation (in finest voxels) that moves every level neuroglancer draws
onto this project's ROI of that level, or ``None`` when no single translation does (a
corner-aligned pyramid written before centre-aligned levels: neuroglancer would misplace its
coarse levels against each other) or its axes have no units, in which case the generic
path shows the finest level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dacapo.experiments.datasplits.datasets.arrays import Array

if TYPE_CHECKING:
    import neuroglancer


#: Neuroglancer's unit strings of the OME-NGFF space units it knows. Axes without a unit
#: (ngff-zarr's default) are unitless to neuroglancer, which then cannot place them in the
#: viewer's nm space at all: such pyramids take the generic path (read as nm, as ``info``).
UNITS = {
    "nanometer": "nm",
    "micrometer": "um",
    "millimeter": "mm",
    "meter": "m",
    "picometer": "pm",
    "angstrom": "Å",
}


def multiscale(container: str | Path, group: str) -> Mapping[str, Any] | None:
    """The first ``multiscales`` entry of a zarr v2 / v3 ``group`` (local or a URL), as
    neuroglancer reads it (``.zattrs``, or ``zarr.json``'s ``attributes.ome``); ``None`` if
    there is none or it cannot be read."""
    from dacapo.experiments.datasplits.datasets.arrays.tooling import Container

    keys = [f"{group}/{name}".lstrip("/") for name in ("zarr.json", ".zattrs")]
    try:
        documents = Container(str(container)).read_jsons(keys)
    except (OSError, ValueError):
        return None
    v3, v2 = (documents[k] for k in keys)
    if isinstance(v3, dict):
        attributes = v3.get("attributes", {})
        found = attributes.get("ome", attributes).get("multiscales")
    elif isinstance(v2, dict):
        found = v2.get("multiscales")
    else:
        return None
    return found[0] if isinstance(found, list) and found and isinstance(found[0], dict) else None


def _scale_translation(dataset: Mapping[str, Any], rank: int) -> tuple[list[float], list[float]]:
    scale, translation = [1.0] * rank, [0.0] * rank
    for transform in dataset.get("coordinateTransformations", []):
        if transform.get("type") == "scale":
            scale = [float(v) for v in transform["scale"]]
        elif transform.get("type") == "translation":
            translation = [float(v) for v in transform["translation"]]
    return scale, translation


def neuroglancer_corners(meta: Mapping[str, Any]) -> dict[str, tuple[list[float], list[float]]]:
    """``{path: (corner, scale)}`` of each level as neuroglancer places it, in stored units."""
    rank = len(meta["axes"])
    levels = {}
    for dataset in meta["datasets"]:
        scale, translation = _scale_translation(dataset, rank)
        corner = [t - s / 2 for t, s in zip(translation, scale, strict=True)]
        levels[str(dataset["path"])] = (corner, scale)
    return levels


def source_transform(
    container: str | Path, group: str, levels: Mapping[str, Array]
) -> neuroglancer.CoordinateSpaceTransform | None:
    """The source transform that puts neuroglancer's reading of the pyramid ``group`` at
    the ROIs of ``levels`` (``{dataset path below the group: opened level}``), or ``None``
    if none does (see the module docstring) or the pyramid is not one it can handle (axes
    other than space, a multiscale-wide transform, levels missing)."""
    import neuroglancer

    meta = multiscale(container, group)
    if meta is None or meta.get("coordinateTransformations"):
        return None
    try:
        axes = meta["axes"]
        names = [a["name"] if isinstance(a, dict) else str(a) for a in axes]
        kinds = {a.get("type", "space") if isinstance(a, dict) else "space" for a in axes}
        units = [UNITS[a.get("unit", "") if isinstance(a, dict) else ""] for a in axes]
        placed = neuroglancer_corners(meta)
    except (KeyError, TypeError, ValueError):  # (an unknown unit too)
        return None
    if kinds != {"space"} or not placed or set(placed) != set(levels):
        return None
    finest = next(iter(placed))
    shifts = []
    for path, (corner, scale) in placed.items():
        array = levels[path]
        if not len(array.voxel_size) == len(scale) == len(corner) == len(names):
            return None
        # this project's corner of the level, in the level's stored units
        voxels = zip(array.roi.begin, scale, array.voxel_size, strict=True)
        ours = [b * s / v for b, s, v in voxels]
        finest_scale = placed[finest][1]
        shifts.append([(o - c) / s0 for o, c, s0 in zip(ours, corner, finest_scale, strict=True)])
    if not all(_close(shift, shifts[0]) for shift in shifts):
        return None
    # the output dimensions must be the source's own (names, units and finest scale as
    # stored): neuroglancer shows nothing for a transform in other units
    return neuroglancer.CoordinateSpaceTransform(
        output_dimensions=neuroglancer.CoordinateSpace(
            names=names, units=units, scales=placed[finest][1]
        ),
        matrix=[
            [1.0 if j == i else 0.0 for j in range(len(names))] + [shift]
            for i, shift in enumerate(shifts[0])
        ],
    )


def _close(a: Sequence[float], b: Sequence[float]) -> bool:
    return all(math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9) for x, y in zip(a, b, strict=True))
