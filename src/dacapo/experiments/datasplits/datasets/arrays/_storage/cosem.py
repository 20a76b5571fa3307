"""The COSEM / fibsem-tools ``transform`` attribute of an array (zarr or N5).

``{"transform": {"axes": ["z", "y", "x"], "ordering": "C", "scale": [...], "translate": [...],
"units": ["nm", "nm", "nm"]}}``: ``ordering`` ``"C"`` lists the axes slowest-first (z, y, x,
the order we present, also for N5), ``"F"`` fastest-first.
"""

from __future__ import annotations

from typing import Any

from .nodes import Geometry, MetadataInput
from .units import nanometres, stated


def parse(meta: MetadataInput) -> Geometry | None:
    transform = meta.array.attrs.get("transform")
    if not isinstance(transform, dict) or "scale" not in transform:
        return None
    where = meta.array.where

    def ordered(values: Any) -> Any:
        if isinstance(values, list) and transform.get("ordering", "C") == "F":
            return values[::-1]
        return values

    units = ordered(transform.get("units"))
    scale = ordered(transform["scale"])
    names = {"attribute": "'transform.scale'", "where": where}
    translate = transform.get("translate")
    shifts = {"attribute": "'transform.translate'", "where": where}
    axes = transform.get("axes")
    return Geometry(
        convention="COSEM transform",
        where=where,
        voxel_size=nanometres(scale, units, **names),
        offset=nanometres(ordered(translate), units, **shifts) if translate is not None else None,
        axes=tuple(str(a) for a in ordered(axes)) if isinstance(axes, list) else None,
        voxel_from=stated(scale, units, **names),
        offset_from=stated(ordered(translate), units, **shifts) if translate is not None else "",
    )
