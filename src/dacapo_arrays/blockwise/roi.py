"""ROI strings as users type them: ``0:800,0:800,0:800`` (begin:end per axis, world units).

Also accepted: brackets and spaces (``[0:800, 0:800, 0:800]``) and the ``(nm)`` suffix that
``format_roi`` prints, so a ROI copied from ``dacapo-arrays info`` pastes back unchanged.
"""

from __future__ import annotations

import re

from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import GeometryError

EXAMPLE = "0:800,0:800,0:800"
_SPAN = re.compile(r"^\s*(-?\d+)\s*:\s*(-?\d+)\s*$")


class ROIStringError(GeometryError):
    """A ROI string cannot be parsed; the message shows the string and the expected form."""


def parse_roi(text: str, dims: int | None = None) -> Roi:
    """Parse ``begin:end`` per axis (world units, e.g. nm) into a :class:`Roi`.

    >>> parse_roi("0:800, 80:160,-8:8")
    [0:800, 80:160, -8:8] (800, 80, 16)
    >>> parse_roi("[0:800, 0:800, 0:800] (nm)")
    [0:800, 0:800, 0:800] (800, 800, 800)
    >>> parse_roi("0:800,0:80")
    [0:800, 0:80] (800, 80)
    """
    body = text.strip()
    body = re.sub(r"\(\s*nm\s*\)\s*$", "", body).strip()
    if body.startswith("[") and body.endswith("]"):
        body = body[1:-1]
    parts = body.split(",") if body else []
    begins, ends = [], []
    for axis, part in enumerate(parts):
        match = _SPAN.match(part)
        if match is None:
            raise ROIStringError(
                f"cannot read ROI {text!r}: axis {axis} is {part.strip()!r}, expected "
                f"begin:end in world units (nm); write e.g. {EXAMPLE!r}"
            )
        begin, end = int(match[1]), int(match[2])
        if end <= begin:
            raise ROIStringError(
                f"cannot read ROI {text!r}: axis {axis} ends at {end}, not after its begin "
                f"{begin}; write begin:end with end > begin, e.g. {EXAMPLE!r}"
            )
        begins.append(begin)
        ends.append(end)
    if not begins:
        raise ROIStringError(f"cannot read ROI {text!r}: it is empty; write e.g. {EXAMPLE!r}")
    if dims is not None and len(begins) != dims:
        raise ROIStringError(
            f"ROI {text!r} has {len(begins)} axes but the array has {dims} spatial axes; "
            f"give one begin:end per spatial axis (no channel axis), e.g. "
            f"{','.join(['0:800'] * dims)!r}"
        )
    return Roi(begins, [e - b for b, e in zip(begins, ends, strict=True)])
