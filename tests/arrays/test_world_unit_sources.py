"""Kinds with several sources: sources in different world units are refused, naming both
units and the fix; sources in one world unit combine, and the result keeps the unit."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayIdentifier,
    ConcatArrayConfig,
    GeometryError,
    LogicalOrArrayConfig,
    MergeInstancesArrayConfig,
    SumArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)

FINE = "0.01 nm"
SHAPE = (4, 4, 4)


def _store(path: Path, dataset: str, world: str | None, voxel: int, seed: int) -> np.ndarray:
    """A 4 nm uint8 dataset written in ``world`` (4 nm is 400 x 0.01 nm); its values."""
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(path, dataset, world_unit=world),
        ["z", "y", "x"],
        Roi((0, 0, 0), Coordinate(SHAPE) * voxel),
        None,
        Coordinate((voxel,) * 3),
        np.uint8,
    )
    values = (np.arange(np.prod(SHAPE)).reshape(SHAPE) * (seed + 1) % 7).astype(np.uint8)
    array[array.roi] = values
    return values


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    path = tmp_path_factory.mktemp("units") / "c.zarr"
    fine = _store(path, "fine", FINE, 400, 0)
    coarse = _store(path, "coarse", None, 4, 1)
    return path, fine, coarse


def _zarr(path: Path, dataset: str, world: str | None) -> ZarrArrayConfig:
    return ZarrArrayConfig(
        name=dataset, file_name=path, dataset=dataset, mode="r", world_unit=world
    )


def _concat(a: ArrayConfig, b: ArrayConfig) -> ArrayConfig:
    return ConcatArrayConfig(
        name="both", channels=["a", "b"], source_array_configs={"a": a, "b": b}
    )


def _sum(a: ArrayConfig, b: ArrayConfig) -> ArrayConfig:
    return SumArrayConfig(name="both", source_array_configs=[a, b])


def _merge(a: ArrayConfig, b: ArrayConfig) -> ArrayConfig:
    return MergeInstancesArrayConfig(name="both", source_array_configs=[a, b], max_ids=[6, 6])


KINDS: dict[str, tuple[Callable[[ArrayConfig, ArrayConfig], ArrayConfig], tuple[str, str]]] = {
    "concat": (_concat, ("source_array_configs['a']", "source_array_configs['b']")),
    "sum": (_sum, ("source_array_configs[0]", "source_array_configs[1]")),
    "merge": (_merge, ("source_array_configs[0]", "source_array_configs[1]")),
}


def _message(first: str, second: str) -> str:
    return (
        rf"sources differ in world unit: {re.escape(first)} \(ZarrArray 'fine' "
        rf"\(dataset 'fine' in '.*c\.zarr'\)\) is in '0\.01 nm', "
        rf"{re.escape(second)} \(ZarrArray 'coarse' .*\) in 'nm'; every array of "
        r"one tree must use the same world unit: set world_unit='0\.01 nm' on every stored "
        r"config of the tree \(ZarrArrayConfig\(world_unit='0\.01 nm'\), "
        r"TiffArrayConfig\(world_unit='0\.01 nm'\)\)"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_sources_in_different_world_units_are_refused(stored, kind: str) -> None:
    path, _, _ = stored
    make, labels = KINDS[kind]
    config = make(_zarr(path, "fine", FINE), _zarr(path, "coarse", None))
    message = _message(*labels)
    with pytest.raises(GeometryError, match=message):
        config.create_array()
    ok, report = config.verify()
    assert not ok
    assert report.startswith("$ (")
    assert re.search(message, report), report


def test_a_mixture_deeper_in_a_tree_is_refused_at_its_path(stored) -> None:
    path, _, _ = stored
    inner = _concat(_zarr(path, "fine", FINE), _zarr(path, "coarse", None))
    config = LogicalOrArrayConfig(name="any", source_array_config=inner)
    with pytest.raises(GeometryError, match="sources differ in world unit"):
        config.create_array()
    ok, report = config.verify()
    assert not ok
    assert "$.source_array_config (ConcatArrayConfig 'both')" in report
    assert "sources differ in world unit" in report


@pytest.mark.parametrize("kind", KINDS)
def test_sources_in_one_world_unit_combine_and_keep_it(stored, kind: str) -> None:
    path, fine, coarse = stored
    make, _ = KINDS[kind]
    # the 4 nm dataset stored in nm opens in 0.01 nm too: 400 x 0.01 nm
    config = make(_zarr(path, "fine", FINE), _zarr(path, "coarse", FINE))
    assert config.verify()[0]
    array = config.create_array()
    assert array.voxel_size == (400, 400, 400)
    assert array.attrs["dacapo_arrays:world_unit"] == FINE
    data = array[array.roi]
    if kind == "concat":
        np.testing.assert_array_equal(data, np.stack([fine, coarse]))
    elif kind == "sum":
        np.testing.assert_array_equal(data, fine.astype(np.uint64) + coarse)
    else:
        shifted = np.where(coarse > 0, coarse.astype(np.uint64) + 6, fine)
        np.testing.assert_array_equal(data, shifted)
    union = LogicalOrArrayConfig(name="any", source_array_config=_concat(*_pair(path)))
    assert union.create_array().attrs["dacapo_arrays:world_unit"] == FINE


def _pair(path: Path) -> tuple[ZarrArrayConfig, ZarrArrayConfig]:
    return _zarr(path, "fine", FINE), _zarr(path, "coarse", FINE)
