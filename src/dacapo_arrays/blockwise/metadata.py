"""What the output's multiscale group says beyond its levels, for the tools that read it.

Every level is created by ``ZarrArray.create_from_array_identifier``, which gives it the
plain attributes (funlib, daisy) and, in zarr, an entry in the group's OME-NGFF
``multiscales``. On top of that, once every level exists:

* **labels** (``Array.is_labels`` True: segmentations and masks) get OME-NGFF
  ``image-label`` metadata on the group (0.4 in zarr v2, 0.5 under ``ome`` in zarr v3), so
  napari and ome-zarr-py open them as labels; a ``bool`` mask gets a colour for its 1s.
  Intensities never do.
* **N5** groups get what n5-viewer and BigDataViewer read: ``scales`` and
  ``pixelResolution`` (of ``s0``) on the group, and on every level ``downsamplingFactors``
  with ``pixelResolution`` again set to the ``s0`` voxel size (their level's voxel size is
  ``pixelResolution x downsamplingFactors``; funlib's ``resolution`` is not written).

Lengths are stored in nm, also for a tree in another world unit (5.24 for 524 x 0.01 nm).
"""

from __future__ import annotations

from typing import Any

from dacapo.experiments.datasplits.datasets.arrays.resampled_array import PYRAMID_METHOD_ATTR
from dacapo.experiments.datasplits.datasets.arrays.tooling import (
    N5,
    ZARR3,
    Container,
    Document,
    Format,
    classify,
    probe_keys,
    stored_nanometres,
    world_unit,
    write_attributes,
)

from .plan import Plan

#: The colour of the 1s of a mask (RGBA).
MASK_COLOUR = [255, 0, 255, 255]


def stored_format(container: Container, dataset: str) -> Format:
    found = classify(container.read_jsons(probe_keys(dataset)), dataset)
    if found is None:
        raise FileNotFoundError(f"no dataset {dataset!r} in {container.url!r} after creating it")
    return found[1]


def image_label(plan: Plan, version: str | None) -> dict[str, Any]:
    """The ``image-label`` document of a labels output (``version`` only in 0.4)."""
    document: dict[str, Any] = {} if version is None else {"version": version}
    if plan.dtype == "|b1":
        document["colors"] = [{"label-value": 1, "rgba": MASK_COLOUR}]
    document["properties"] = []
    return document


def _with_label(plan: Plan, fmt: Format) -> Any:
    def update(document: Document | None) -> Document:
        document = document or {}
        if fmt is ZARR3:
            ome = document.setdefault("attributes", {}).setdefault("ome", {})
            ome["image-label"] = image_label(plan, None)
        else:
            document["image-label"] = image_label(plan, "0.4")
        return document

    return update


def n5_attributes(plan: Plan) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The n5-viewer attributes of the group and of each level (lists in x, y, z order)."""
    base = plan.levels[0].voxel_size
    nm = stored_nanometres(base, world_unit(plan.world_unit), what="voxel size")
    resolution = {"dimensions": nm[::-1], "unit": "nm"}
    factors = [
        [int(v) // int(b) for v, b in zip(level.voxel_size, base, strict=True)][::-1]
        for level in plan.levels
    ]
    group = {"scales": factors, "pixelResolution": resolution}
    levels = [{"downsamplingFactors": f, "pixelResolution": resolution} for f in factors]
    return group, levels


def _merged(new: dict[str, Any]) -> Any:
    def update(document: Document | None) -> Document:
        return {**(document or {}), **new}

    return update


def describe_output(plan: Plan) -> None:
    """Write the group metadata above for a plan whose levels all exist."""
    container = Container(plan.container)
    fmt = stored_format(container, plan.levels[0].dataset)
    for level in plan.levels:  # how each level was made, for ResampledArray(use_pyramid=True)
        if level.downsample is not None:
            write_attributes(
                container, fmt, level.dataset, {PYRAMID_METHOD_ATTR: level.downsample}
            )
    if fmt is N5:
        group, levels = n5_attributes(plan)
        container.update_json(N5.attrs_key(plan.group), _merged(group))
        for level, attributes in zip(plan.levels, levels, strict=True):
            container.update_json(N5.attrs_key(level.dataset), _merged(attributes))
        return
    if plan.is_labels:
        container.update_json(fmt.attrs_key(plan.group), _with_label(plan, fmt))
