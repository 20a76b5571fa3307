from __future__ import annotations

from pathlib import Path

from dacapo.experiments.datasplits.datasets.arrays import BinarizeArrayConfig, ZarrArrayConfig


def test_a_good_config_passes(tmp_path: Path, labels, cli) -> None:
    config, _ = labels
    config.to_file(tmp_path / "labels.yaml")
    result = cli("check", str(tmp_path / "labels.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == (
        f"✓ {tmp_path / 'labels.yaml'}: 1 array config(s) verified, 1 store(s) reachable\n"
    )


def test_every_unreachable_store_is_named_by_its_config_path(
    tmp_path: Path, labels, cli, invoke
) -> None:
    config, _ = labels
    gone = ZarrArrayConfig(name="gone", file_name=tmp_path / "gone.zarr", dataset="raw")
    wrong = ZarrArrayConfig(name="wrong", file_name=config.file_name, dataset="nope")
    tree = BinarizeArrayConfig(name="mito", source_array_config=gone, groupings=[("m", [1])])
    tree.to_file(tmp_path / "mito.yaml")
    wrong.to_file(tmp_path / "wrong.json")
    result = cli("check", str(tmp_path / "mito.yaml"))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"✗ $.source_array_config (ZarrArrayConfig 'gone'): container "
        f"'{tmp_path / 'gone.zarr'}' does not exist; check ZarrArrayConfig.file_name of "
        f"ZarrArray 'gone'",
        f"{tmp_path / 'mito.yaml'}: 1 problem(s) in 2 array config(s)",
    ]
    result = invoke("check", str(tmp_path / "wrong.json"))
    assert result.exit_code == 1
    assert result.stdout.startswith(
        "✗ $ (ZarrArrayConfig 'wrong'): no dataset 'nope' in container"
    )


def test_an_unreadable_config_is_a_user_error(tmp_path: Path, invoke) -> None:
    (tmp_path / "x.yaml").write_text("__type__: NoSuchConfig\nname: x\n")
    result = invoke("check", str(tmp_path / "x.yaml"))
    assert result.exit_code == 2
    assert result.stderr.splitlines()[1].startswith(
        "  $.__type__: unknown array config type 'NoSuchConfig'"
    )
