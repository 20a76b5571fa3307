"""Voxel sizes a TIFF file declares itself: OME-XML ``PhysicalSize*`` or ImageJ calibration.

Pure parsers over what ``tifffile`` already read from the header (no voxel data), tried in
order; the first convention present wins. Sizes are exact nanometres (``Fraction``), keyed
by tifffile's axis letters (``"Z"``, ``"Y"``, ``"X"``); deciding whether they are whole is
left to the caller, which knows whether the config overrides them.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import attrs

from dacapo.experiments.datasplits.datasets.arrays._storage.units import (
    exact,
    nanometres_per,
)


@attrs.frozen
class StoredGeometry:
    """Voxel sizes in nm by axis letter, and where they came from (for error messages)."""

    voxel_size: dict[str, Fraction]
    source: str


def ome(tif: Any) -> StoredGeometry | None:
    """``Pixels/@PhysicalSize{X,Y,Z}`` (unit ``PhysicalSize*Unit``, default µm) of image 0."""
    text = tif.ome_metadata if tif.is_ome else None
    if not text:
        return None
    import xml.etree.ElementTree as ET  # here: reading a zarr never needs it

    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    pixels = next((e for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "Pixels"), None)
    if pixels is None:
        return None
    sizes: dict[str, Fraction] = {}
    for letter in "ZYX":
        value = pixels.get(f"PhysicalSize{letter}")
        factor = nanometres_per(pixels.get(f"PhysicalSize{letter}Unit", "µm"))
        if value is not None and factor is not None:
            sizes[letter] = exact(value) * factor
    if not sizes:
        return None
    return StoredGeometry(sizes, "OME-XML PhysicalSizeZ/Y/X")


def imagej(tif: Any) -> StoredGeometry | None:
    """ImageJ calibration: ``unit`` and ``spacing`` (z) in the description, X/YResolution.

    Without a known ``unit`` (ImageJ writes ``pixel`` for uncalibrated images) the file has
    no physical voxel size. A missing ``spacing`` means one unit, as in ImageJ.
    """
    metadata = tif.imagej_metadata if tif.is_imagej else None
    if not metadata:
        return None
    factor = nanometres_per(str(metadata.get("unit", "")))
    if factor is None:
        return None
    page = tif.pages.first
    sizes = {"Z": exact(metadata.get("spacing", 1)) * factor}
    for letter, tag in (("Y", "YResolution"), ("X", "XResolution")):
        pixels_per_unit = _rational(page.tags.get(tag))
        if pixels_per_unit:
            sizes[letter] = factor / pixels_per_unit
    return StoredGeometry(sizes, "ImageJ unit/spacing/XResolution/YResolution")


def _rational(tag: Any) -> Fraction | None:
    if tag is None:
        return None
    value = tag.value
    if isinstance(value, tuple) and len(value) == 2 and value[1]:
        return Fraction(int(value[0]), int(value[1]))
    return exact(value) if isinstance(value, int | float) else None


PARSERS: tuple[Callable[[Any], StoredGeometry | None], ...] = (ome, imagej)


def read_stored_geometry(tif: Any) -> StoredGeometry | None:
    """The first convention found in ``tif`` (a ``tifffile.TiffFile``), or ``None``."""
    for parser in PARSERS:
        found = parser(tif)
        if found is not None:
            return found
    return None
