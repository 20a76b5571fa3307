"""The demo: its sample and configs now; the whole command once every kind it uses exists."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig
from dacapo_arrays.demo import example_configs, make_sample, write_configs


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("demo")
    sample = make_sample(folder)
    return folder, sample, write_configs(sample, folder / "configs")


def test_sample_is_a_cellmap_style_crop(sample) -> None:
    _, made, _ = sample
    em = made.em.create_array()
    labels = made.labels.create_array()
    assert (em.dtype, labels.dtype) == (np.dtype("uint8"), np.dtype("uint64"))
    assert em.roi.contains(labels.roi)
    assert labels.voxel_size == em.voxel_size
    ids = set(np.unique(labels[labels.roi]).tolist())
    assert {3, 4, 16, 17, 28} <= ids  # mitochondria, ER, nucleus
    assert float(em[em.roi].std()) > 20  # texture, not a flat image
    legacy = labels.attrs["labels"]
    assert {entry["value"] for entry in legacy if entry["annotationState"]["present"]} == ids
    mito = made.mito.create_array()
    assert mito.attrs["cellmap"]["annotation"]["annotation_type"]["encoding"]["present"] == 1
    crop = json.loads((made.container / "recon-1/labels/groundtruth/crop1/.zattrs").read_text())
    assert "mito_mem" in crop["cellmap"]["annotation"]["class_names"]


def test_configs_round_trip_through_their_files(sample) -> None:
    _, made, files = sample
    configs = example_configs(made)
    assert set(files) == set(configs)
    for name, path in files.items():
        assert ArrayConfig.from_file(path) == configs[name]


def test_stored_configs_pass_check_and_info(sample, invoke) -> None:
    _, _, files = sample
    for name in ("raw.yaml", "labels.yaml"):
        checked = invoke("check", str(files[name]))
        assert checked.exit_code == 0, checked.output
        shown = invoke("info", str(files[name]))
        assert shown.exit_code == 0
        assert "  voxel size  8 x 8 x 8 nm" in shown.stdout


def _missing_kinds(folder: Path) -> list[str]:
    configs = example_configs(make_sample(folder))
    missing = []
    for config in configs.values():
        try:
            config.create_array()
        except NotImplementedError:
            missing.append(type(config).__name__)
    return missing


def test_the_demo_runs_every_command_in_under_a_minute(tmp_path: Path, cli) -> None:
    missing = _missing_kinds(tmp_path / "probe")
    if missing:
        pytest.skip(f"the demo needs {missing}, not built yet in this branch")
    start = time.monotonic()
    result = cli("demo", str(tmp_path / "demo"), timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert time.monotonic() - start < 60
    out = result.stdout
    assert "✓ organelles.yaml: verified" in out
    assert (tmp_path / "demo" / "outputs.zarr" / "organelles" / "s1").is_dir()
    assert (tmp_path / "demo" / "outputs.zarr" / "raw_16nm").is_dir()
    assert f"dacapo-arrays view {tmp_path / 'demo' / 'configs' / 'raw.yaml'}" in out
