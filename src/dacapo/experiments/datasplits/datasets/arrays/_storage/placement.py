"""Where each level of a multiscale starts: corner offsets from OME-NGFF translations.

OME-NGFF puts the coordinates of a voxel at its *centre*: a level's ``translation`` is the
centre of its voxel 0. funlib, DaCapo, neuroglancer's precomputed format and this project
address voxels by their *corner* (``roi.offset``). The two readings differ by half a voxel,
which is different on each level, so the choice decides how levels line up:

* the finest level (listed first) keeps its translation as its corner, as every funlib and
  DaCapo reader did (this keeps whole-voxel offsets whole: 400 nm at 4 nm voxels, not 398);
* a level not coarser than the first listed one along an axis keeps its translation there;
* a coarser level whose translation equals the finest's (along an axis) was written
  *corner-aligned* (funlib, DaCapo, this project's writer before centre-aligned levels, and
  ome-zarr-py when given no translations): its corner is its translation;
* otherwise it was written *centre-aligned* (ngff-zarr, ome-zarr-py with translations,
  fibsem-tools, this project's writer now): voxel centres are placed as the specification
  says, relative to the finest level, so the corner is
  ``translation - (scale - finest_scale) / 2``: s1 at 802 nm with 8 nm voxels over s0 at
  800 nm with 4 nm voxels starts at 800 nm, and its voxel 0 covers s0's voxels 0 and 1.

The finest level is thus half of one of its voxels away from the specification's absolute
frame, for every level alike: levels line up with each other voxel-exactly, and with the
data that 2x downsampling put in them. See docs/decisions.md ("Pyramid levels ...").
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

#: How one axis of a level was placed.
CORNER, CENTRE = "corner", "centre"


def corner(
    translation: Sequence[Decimal],
    scale: Sequence[Decimal],
    finest_translation: Sequence[Decimal],
    finest_scale: Sequence[Decimal],
) -> tuple[tuple[Decimal, ...], str]:
    """The corner offset of a level (exact nm, per axis), and how it was placed.

    >>> d = lambda *v: tuple(Decimal(x) for x in v)
    >>> corner(d(800, 802, 802), d(8, 8, 8), d(800, 800, 800), d(8, 4, 4))
    ((Decimal('800'), Decimal('800'), Decimal('800')), 'centre')
    >>> corner(d(400, 400), d(8, 8), d(400, 400), d(4, 4))
    ((Decimal('400'), Decimal('400')), 'corner')
    """
    result = []
    how = CORNER
    for t, s, t0, s0 in zip(translation, scale, finest_translation, finest_scale, strict=True):
        if t == t0 or s <= s0:  # not shifted, or not coarser than the finest level
            result.append(t)
        else:
            result.append(t - (s - s0) / 2)
            how = CENTRE
    return tuple(result), how
