"""A write whose output overlaps what its config reads is refused before anything changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    BinarizeArrayConfig,
    ConcatArrayConfig,
    ZarrArrayConfig,
)
from dacapo_arrays.blockwise import OutputIsSourceError, write


def _spellings(tmp_path: Path) -> list[tuple[str, str]]:
    """(container, dataset) spellings of ``tmp_path/source.zarr`` + ``labels``."""
    os.symlink(tmp_path, tmp_path.parent / f"{tmp_path.name}-link")
    link = tmp_path.parent / f"{tmp_path.name}-link"
    return [
        (str(tmp_path / "source.zarr"), "labels"),
        (str(tmp_path / "source.zarr") + "/", "labels/"),
        (f"file://{tmp_path}/source.zarr", "/labels"),
        (os.path.relpath(tmp_path / "source.zarr"), "./labels"),
        (str(link / "source.zarr"), "labels"),
        (str(tmp_path / "x" / ".." / "source.zarr"), "labels"),
        (str(tmp_path / "source.zarr"), ""),  # the whole container holds the source
    ]


def test_overwriting_the_source_is_refused_in_every_spelling(
    tmp_path: Path, labels, snapshot
) -> None:
    config, _ = labels
    (tmp_path / "x").mkdir()
    before = snapshot(tmp_path / "source.zarr")
    nested = BinarizeArrayConfig(
        name="mask",
        source_array_config=ConcatArrayConfig(
            name="c", channels=["a"], source_array_configs={"a": config}
        ),
        groupings=[("a", [1])],
    )
    for container, dataset in _spellings(tmp_path):
        for tree in (config, nested):
            target = ArrayIdentifier(container, dataset)
            with pytest.raises(OutputIsSourceError, match="destroy or corrupt its own source"):
                write(tree, target, overwrite=True, progress=False)
    assert snapshot(tmp_path / "source.zarr") == before
    assert not (tmp_path / "source.zarr.blocks").exists()


def test_the_message_names_output_source_and_config_path(tmp_path: Path, labels) -> None:
    config, _ = labels
    tree = BinarizeArrayConfig(name="mask", source_array_config=config, groupings=[("a", [1])])
    with pytest.raises(OutputIsSourceError) as caught:
        write(tree, ArrayIdentifier(tmp_path / "source.zarr", "labels"), progress=False)
    assert str(caught.value) == (
        f"cannot write into dataset 'labels' of '{tmp_path / 'source.zarr'}': the config reads "
        f"'{tmp_path / 'source.zarr' / 'labels'}' ($.source_array_config, ZarrArrayConfig "
        f"'labels'), which is the same data or overlaps it, so the write would destroy or "
        f"corrupt its own source; write to another dataset or container"
    )
    assert isinstance(caught.value, ValueError)


def test_a_sibling_dataset_is_fine(tmp_path: Path, labels) -> None:
    config, truth = labels
    write(config, ArrayIdentifier(tmp_path / "source.zarr", "labels2"), progress=False)
    copy = ZarrArrayConfig(name="c", file_name=tmp_path / "source.zarr", dataset="labels2/s0")
    array = copy.create_array()
    assert (array[array.roi] == truth[truth.roi]).all()


def test_the_cli_refuses_overwrite_of_its_source(tmp_path: Path, labels, cli, snapshot) -> None:
    config, _ = labels
    config.to_file(tmp_path / "labels.yaml")
    before = snapshot(tmp_path / "source.zarr")
    done = cli("write", str(tmp_path / "labels.yaml"), "source.zarr/labels/", "--overwrite",
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith("error: cannot write into dataset 'labels'")
    assert done.stderr.splitlines()[-1] == (
        "hint: write to a new container or dataset; nothing was changed"
    )
    assert snapshot(tmp_path / "source.zarr") == before
