"""The one build walk: every node built once, every store's metadata read once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    SumArrayConfig,
    ZarrArrayConfig,
    zarr_array,
)
from dacapo.experiments.datasplits.datasets.arrays._build import build_tree
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def sum_of_sums(leaf: ArrayConfig, depth: int) -> ArrayConfig:
    """``depth`` levels of sums, each adding the level below to itself."""
    config = leaf
    for level in range(depth):
        config = SumArrayConfig(name=f"sum{level}", source_array_configs=[config, config])
    return config


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every metadata read of a zarr dataset (the real reader, counted)."""
    seen: list[str] = []
    real = zarr_array.inspect_array

    def counted(container: Any, dataset: str, **kwargs: Any) -> Any:
        seen.append(dataset)
        return real(container, dataset, **kwargs)

    monkeypatch.setattr(zarr_array, "inspect_array", counted)
    return seen


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 5])
def test_every_walk_opens_a_store_once(tmp_path: Path, opens: list[str], depth: int) -> None:
    truth = numpy_truth(dtype="uint8")
    config = sum_of_sums(zarr_source(tmp_path, truth, name="raw"), depth)
    opens.clear()  # writing the source read it back
    array = config.create_array()
    assert opens == ["raw"]
    np.testing.assert_array_equal(array[array.roi], truth.data.astype(np.uint64) * 2**depth)
    opens.clear()
    assert config.verify()[0]
    assert opens == ["raw"]
    opens.clear()
    tree = build_tree(config)
    assert opens == ["raw"]
    assert len(tree.nodes) == 2 ** (depth + 1) - 1  # every node shown, built once
    assert len({id(node.array) for node in tree.nodes}) == depth + 1


def test_problems_carry_their_paths_and_the_parent_is_not_built(
    tmp_path: Path, opens: list[str]
) -> None:
    missing = ZarrArrayConfig(name="gone", file_name=tmp_path / "gone.zarr", dataset="raw")
    config = sum_of_sums(missing, 2)
    tree = build_tree(config)
    assert tree.array is None
    paths = [p.path for p in tree.problems]
    assert paths == [
        f"$.source_array_configs[{i}].source_array_configs[{j}]" for i in (0, 1) for j in (0, 1)
    ]
    assert all("gone.zarr" in str(p) for p in tree.problems)
    assert opens == ["raw"]


def test_info_and_check_open_a_store_once(
    tmp_path: Path, opens: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    from dacapo_arrays.cli.check import problems_of
    from dacapo_arrays.cli.info import show_tree

    config = sum_of_sums(zarr_source(tmp_path, numpy_truth(), name="raw"), 4)
    opens.clear()
    assert show_tree(config) is None
    assert opens == ["raw"]
    assert capsys.readouterr().out.count("SumArrayConfig") == 2**4 - 1
    opens.clear()
    assert problems_of(config) == ([], 1)
    assert opens == ["raw"]
