from __future__ import annotations

from pathlib import Path

from dacapo.experiments.datasplits.datasets.arrays import BinarizeArrayConfig
from dacapo_arrays.testing.sources import numpy_truth, zarr_source

LABELS_ROWS = [
    "ZarrArrayConfig 'labels' → ZarrArray (stored)",
    "  axes        z y x",
    "  voxel size  8 x 4 x 4 nm",
    "  ROI         [16:208, -8:152, 4:148] (nm), extent 192 x 160 x 144 nm",
    "  shape       24 x 40 x 36 voxels",
    "  dtype       uint64",
    "  channels    none",
    "  chunks      8 x 8 x 8 voxels (64 x 32 x 32 nm)",
]


def test_a_config_file_is_described_with_units(tmp_path: Path, labels, cli) -> None:
    config, _ = labels
    config.to_file(tmp_path / "labels.toml")
    result = cli("info", str(tmp_path / "labels.toml"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[: len(LABELS_ROWS)] == LABELS_ROWS
    assert lines[-2:] == [
        f"  container   {tmp_path / 'source.zarr'}",
        "  dataset     labels",
    ]


def test_paths_show_a_dataset_or_every_dataset_below_a_group(
    tmp_path: Path, labels, cli, invoke
) -> None:
    zarr_source(tmp_path, numpy_truth(shape=(2, 4, 4, 4), voxel_size=(4, 4, 4), offset=(0, 0, 0)),
                name="raw", container="source.zarr", dataset="group/raw")  # fmt: skip
    whole = cli("info", str(tmp_path / "source.zarr"))
    assert whole.returncode == 0, whole.stderr
    titles = [line for line in whole.stdout.splitlines() if "→" in line]
    assert titles == [
        "ZarrArrayConfig 'group/raw' → ZarrArray (stored)",
        "ZarrArrayConfig 'labels' → ZarrArray (stored)",
    ]
    assert "  channels    2" in whole.stdout
    one = invoke("info", str(tmp_path / "source.zarr" / "labels"))
    assert one.stdout.splitlines()[1:8] == LABELS_ROWS[1:]


def test_an_n5_dataset(tmp_path: Path, invoke) -> None:
    truth = numpy_truth(dtype="uint16", voxel_size=(40, 8, 8), offset=(80, 0, -16))
    zarr_source(tmp_path, truth, name="em", container="data.n5")
    result = invoke("info", str(tmp_path / "data.n5" / "em"))
    assert result.exit_code == 0, result.output
    assert "  voxel size  40 x 8 x 8 nm" in result.stdout
    assert "  dtype       uint16" in result.stdout


def test_a_tree_shows_each_source_under_its_field(tmp_path: Path, labels, invoke) -> None:
    config, _ = labels
    tree = BinarizeArrayConfig(name="mito", source_array_config=config, groupings=[("m", [1])])
    tree.to_file(tmp_path / "mito.yaml")
    result = invoke("info", str(tmp_path / "mito.yaml"))
    lines = result.stdout.splitlines()
    assert lines[0].startswith("BinarizeArrayConfig 'mito'")
    child = lines.index("└─ source_array_config: ZarrArrayConfig 'labels' → ZarrArray (stored)")
    assert lines[child + 1] == "       axes        z y x"


def test_user_errors_are_one_line_and_a_hint(tmp_path: Path, cli, invoke) -> None:
    missing = cli("info", str(tmp_path / "nothere.zarr"))
    assert missing.returncode == 2
    assert missing.stderr.splitlines() == [
        f"error: '{tmp_path / 'nothere.zarr'}' is neither a config file (*.yaml, *.toml, "
        "*.json) nor an existing zarr / N5 container; check the path",
        "hint: `dacapo-arrays info CONTAINER` lists the datasets it holds",
    ]
    no_file = invoke("info", str(tmp_path / "raw.yaml"))
    assert no_file.exit_code == 2
    assert no_file.stderr.splitlines() == [
        f"error: config file '{tmp_path / 'raw.yaml'}' does not exist; check the path",
        "hint: `dacapo-arrays demo` writes example configs to start from",
    ]
    (tmp_path / "bad.yaml").write_text("__type__: ZarrArrayConfig\nname: raw\nfile_nam: x.zarr\n")
    bad = invoke("info", str(tmp_path / "bad.yaml"))
    assert bad.exit_code == 2
    assert (
        bad.stderr.splitlines()[0]
        == f"error: {tmp_path / 'bad.yaml'} is not a valid array config:"
    )
    assert bad.stderr.splitlines()[-1].startswith("hint: each config names its kind in __type__")
    assert "Traceback" not in bad.stderr


def test_debug_shows_the_traceback(tmp_path: Path, cli) -> None:
    result = cli("--debug", "info", str(tmp_path / "raw.yaml"))
    assert result.returncode == 1
    assert "Traceback (most recent call last)" in result.stderr
    assert "ConfigFileNotFoundError: config file" in result.stderr
