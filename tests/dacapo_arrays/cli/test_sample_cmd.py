"""``dacapo-arrays sample``: the demo's sampler config, the report, the picture, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dacapo_arrays.demo import make_sample, write_configs


def test_sample_reports_and_draws_a_picture(tmp_path: Path, cli: Any) -> None:
    configs = tmp_path / "demo" / "configs"
    write_configs(make_sample(tmp_path / "demo"), configs)
    png = tmp_path / "samples.png"
    done = cli(
        "sample",
        str(configs / "sample.yaml"),
        "--n",
        "12",
        "--seed",
        "3",
        "--report",
        "--png",
        str(png),
    )
    assert done.returncode == 0, done.stderr
    assert "12 samples (raw 40x40x40, gt 24x24x24, mask 24x24x24)" in done.stdout
    assert "samples/s" in done.stdout
    assert "rejection rate" in done.stdout
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "overlaid: gt" in done.stdout
    assert "kept in memory  1 of 1 dataset(s)" in done.stdout


def test_sample_cache_option_turns_keeping_off(tmp_path: Path, cli: Any) -> None:
    configs = tmp_path / "demo" / "configs"
    write_configs(make_sample(tmp_path / "demo"), configs)
    done = cli("sample", str(configs / "sample.yaml"), "--n", "3", "--report", "--cache", "0")
    assert done.returncode == 0, done.stderr
    assert "kept in memory  0 of 1 dataset(s), 0.0 MB (cache 0 MB)" in done.stdout


def test_a_config_with_unknown_keys_is_refused(tmp_path: Path, cli: Any) -> None:
    config = tmp_path / "sample.yaml"
    config.write_text("datasets: []\nshapes: {}\nbatch: 2\n")
    done = cli("sample", str(config))
    assert done.returncode != 0
    assert "unknown keys ['batch']" in done.stderr + done.stdout
