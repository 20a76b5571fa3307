"""Hypothesis strategies for geometry and volumes."""

from __future__ import annotations

from typing import Any

import numpy as np
from funlib.geometry import Coordinate, Roi
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

DTYPES = ("uint8", "uint16", "uint32", "uint64", "int32", "int64", "float32", "float64")


def fixture_settings(max_examples: int) -> settings:
    """Settings for a ``@given`` test that also takes function-scoped fixtures (``tmp_path``,
    a server): every example shares the fixture, which such tests allow for (unique file
    names, servers holding many volumes); no deadline, as examples touch real storage."""
    return settings(
        max_examples=max_examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


@st.composite
def voxel_sizes(draw: st.DrawFn, dims: int = 3, max_size: int = 16) -> Coordinate:
    """Positive integer voxel sizes, anisotropic as often as not."""
    return Coordinate(draw(st.lists(st.integers(1, max_size), min_size=dims, max_size=dims)))


@st.composite
def aligned_rois(draw: st.DrawFn, within: Roi, voxel_size: Coordinate) -> Roi:
    """A non-empty, voxel-aligned ROI inside ``within`` (itself voxel-aligned)."""
    begin, shape = [], []
    for b, e, v in zip(within.begin, within.end, voxel_size, strict=True):
        n = (e - b) // v
        start = draw(st.integers(0, n - 1))
        length = draw(st.integers(1, n - start))
        begin.append(b + start * v)
        shape.append(length * v)
    return Roi(begin, shape)


@st.composite
def misaligned_rois(draw: st.DrawFn, within: Roi, voxel_size: Coordinate) -> Roi:
    """A ROI inside ``within`` whose begin is off the voxel grid (never an aligned one).

    With voxel size 1 on every axis no world ROI is misaligned: that is refused, so a test
    cannot count aligned examples as passes; skip such arrays instead.
    """
    axes = [i for i, v in enumerate(voxel_size) if v > 1]
    if not axes:
        raise ValueError(
            f"voxel size {tuple(voxel_size)}: every integer ROI is aligned, so there is no "
            f"misaligned ROI to draw; skip arrays whose voxel size is 1 on every axis"
        )
    roi = draw(aligned_rois(within, voxel_size))
    axis = draw(st.sampled_from(axes))
    begin = list(roi.begin)
    begin[axis] += draw(st.integers(1, voxel_size[axis] - 1))
    shape = list(roi.shape)
    shape[axis] = max(shape[axis] - voxel_size[axis], 1)
    return Roi(begin, shape)


def random_volume(shape: tuple[int, ...], dtype: str, seed: int = 0) -> np.ndarray:
    """Reproducible random data of any numeric dtype (labels stay small for integers)."""
    rng = np.random.default_rng(seed)
    kind = np.dtype(dtype).kind
    if kind == "f":
        return rng.random(shape).astype(dtype)
    if kind == "b":
        return rng.random(shape) > 0.5
    return rng.integers(0, 20, size=shape).astype(dtype)


# -- configs: generated from the attrs field types, so every kind is covered as it lands ----

_NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=12
)
_PATHS = st.sampled_from(["data.zarr", "/data/jrc_hela-2.zarr", "s3://bucket/a b.n5", "x.tif"])


def _ints(dims: int) -> st.SearchStrategy[list[int]]:
    return st.lists(st.integers(1, 64), min_size=dims, max_size=dims)


def _value_for(tp: Any, depth: int) -> st.SearchStrategy[Any]:
    import types
    import typing

    from upath import UPath

    from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig

    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        inner = st.one_of(*[_value_for(a, depth) for a in options])
        return st.one_of(st.none(), inner) if type(None) in args else inner
    if tp is ArrayConfig:
        return array_configs(depth - 1) if depth > 0 else st.nothing()
    if tp is str:
        return _NAMES
    if tp is bool:
        return st.booleans()
    if tp is int:
        return st.integers(-(2**40), 2**40)
    if tp is float:
        return st.floats(-1e6, 1e6, allow_nan=False).map(lambda f: round(f, 3))
    if tp is Coordinate:
        return _ints(3).map(Coordinate)
    if tp is Roi:
        return st.tuples(_ints(3), _ints(3)).map(lambda p: Roi(*p))
    if tp is UPath:
        return _PATHS.map(UPath)
    if origin is list:
        return st.lists(_value_for(args[0], depth), max_size=3)
    if origin is dict:
        return st.dictionaries(_NAMES, _value_for(args[1], depth), max_size=3)
    if origin is tuple:
        return st.tuples(*[_value_for(a, depth) for a in args])
    raise NotImplementedError(f"no strategy for config field type {tp!r}; add one here")


def _kinds() -> list[type]:
    from dacapo.experiments.datasplits.datasets import arrays

    return [
        cls
        for name in arrays.__all__
        if isinstance(cls := getattr(arrays, name), type)
        and issubclass(cls, arrays.ArrayConfig)
        and cls is not arrays.ArrayConfig
    ]


def array_configs(depth: int = 2) -> st.SearchStrategy[object]:
    """Any registered config kind, with sources nested up to ``depth`` levels."""
    import attrs

    from dacapo.experiments.datasplits.datasets.arrays.tooling import resolve_types

    def build(cls: type) -> st.SearchStrategy[object]:
        resolve_types(cls)
        fields = {
            f.alias or f.name: _value_for(f.type, depth) for f in attrs.fields(cls) if f.init
        }
        return st.builds(cls, **fields)

    leaves = [k for k in _kinds() if not _needs_source(k)]
    kinds = _kinds() if depth > 0 else leaves
    return st.sampled_from(kinds).flatmap(build)


def _needs_source(cls: type) -> bool:
    import attrs

    return any(
        "ArrayConfig" in str(f.type) for f in attrs.fields(cls) if f.default is attrs.NOTHING
    )
