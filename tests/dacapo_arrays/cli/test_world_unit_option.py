"""``--world-unit`` on the commands that take zarr / N5 paths (``info``, ``view``).

A PATH has no config to set ``ZarrArrayConfig(world_unit=...)`` on: a refused fractional
voxel size names the option instead, and the option opens the arrays exactly. Data: the
bioformats2raw-shaped container in ``tests/fixtures/bioformats2raw`` (85.2 nm in µm).
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from dacapo_arrays.cli._targets import path_advice
from dacapo_arrays.viewer.cli import load
from dacapo_arrays.viewer.files import stop_all

CONTAINER = Path(__file__).parents[2] / "fixtures" / "bioformats2raw" / "image.zarr"
LEVEL = str(CONTAINER / "0" / "0")


def test_info_on_a_path_names_the_option_not_the_config_field(cli) -> None:
    done = cli("info", LEVEL)
    assert done.returncode == 2, done.stderr
    assert "85.2 nm is not whole" in done.stderr
    assert "open it exactly with --world-unit '0.1 nm', or state the voxel size in a " in (
        done.stderr
    )
    assert "world_unit=" not in done.stderr + done.stdout
    assert "--world-unit '0.1 nm'" in done.stdout  # the tree's node shows it too


def test_info_with_the_option_opens_the_path_exactly(cli) -> None:
    done = cli("info", LEVEL, "--world-unit", "0.1 nm")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "  voxel size  2000 x 852 x 852 0.1 nm" in lines, done.stdout
    assert "  ROI         [0:6000, 0:6816, 0:6816] (0.1 nm), extent 6000 x 6816 x 6816 0.1 nm" in (
        lines
    )


def test_info_refuses_the_option_for_a_config_file(tmp_path: Path, invoke) -> None:
    from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig

    config = tmp_path / "image.yaml"
    ZarrArrayConfig(name="image", file_name=CONTAINER, dataset="0/0").to_file(config)
    result = invoke("info", str(config), "--world-unit", "0.1 nm")
    assert result.exit_code == 2
    assert "--world-unit applies to zarr / N5 PATHs" in result.output
    assert "set world_unit: '0.1 nm' on its stored configs" in result.output


def test_view_on_a_path_names_the_option_and_opens_with_it(cli) -> None:
    done = cli("view", LEVEL, "--screenshot", "never.png")
    assert done.returncode == 1, done.stderr
    assert "--world-unit '0.1 nm'" in done.stderr
    assert "world_unit=" not in done.stderr
    try:
        with pytest.raises(click.ClickException, match=r"--world-unit '0\.1 nm'"):
            load(LEVEL)
        ((array, source),) = load(LEVEL, world_unit="0.1 nm")
        assert (array.voxel_size, array.world_unit, source) == ((2000, 852, 852), "0.1 nm", None)
        # the pyramid is one layer (its t and c axes keep it on the generic path)
        pyramid = load(str(CONTAINER / "0"), world_unit="0.1 nm")
        assert [(a.voxel_size, s) for a, s in pyramid] == [((2000, 852, 852), None)]
    finally:
        stop_all()


def test_path_advice_leaves_other_messages_alone() -> None:
    message = "exists; replace it with overwrite=True"
    assert path_advice(message) == message
