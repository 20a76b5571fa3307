"""Hostile or broken config files end in a ConfigError naming the file, within seconds."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, ConfigError, ZarrArrayConfig
from dacapo.experiments.datasplits.datasets.arrays._document_limits import SIZE_SETTING

#: The classic "billion laughs": 443 bytes that expand to 10^9 strings.
LAUGHS = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n"
    for i in range(8)
)


def _load(path: Path, data: bytes) -> ConfigError:
    path.write_bytes(data)
    started = time.process_time()  # CPU seconds: a loaded machine does not stretch them
    with pytest.raises(ConfigError) as caught:
        ArrayConfig.from_file(path)
    assert time.process_time() - started < 5
    assert str(path) in str(caught.value)
    return caught.value


def test_billion_laughs_is_refused_at_once(tmp_path: Path) -> None:
    assert len(LAUGHS) < 500
    error = _load(tmp_path / "lol.yaml", LAUGHS.encode())
    assert "aliases (*name) expand to more than 100,000 values" in str(error)


def test_a_few_aliases_still_work(tmp_path: Path) -> None:
    text = (
        "__type__: SumArrayConfig\nname: s\nsource_array_configs:\n"
        "- &z {__type__: ZarrArrayConfig, name: z, file_name: x.zarr, dataset: raw}\n- *z\n"
    )
    (tmp_path / "ok.yaml").write_text(text)
    config = ArrayConfig.from_file(tmp_path / "ok.yaml")
    assert config.source_array_configs[0] == config.source_array_configs[1]  # type: ignore[attr-defined]


def test_a_huge_document_is_refused_before_reading(tmp_path: Path) -> None:
    error = _load(tmp_path / "big.yaml", b"name: '" + b"x" * (50 * 2**20) + b"'\n")
    assert "more than the 1,048,576 bytes a config file may have" in str(error)
    assert SIZE_SETTING in str(error)


def test_duplicated_keys_are_errors(tmp_path: Path) -> None:
    yaml_error = _load(tmp_path / "dup.yaml", b"__type__: OnesArrayConfig\nname: a\nname: b\n")
    assert "found the key 'name' twice; keep one of them" in str(yaml_error)
    assert "line 3" in str(yaml_error)
    json_error = _load(tmp_path / "dup.json", b'{"__type__": "A", "name": "a", "name": "b"}')
    assert "found the key 'name' twice" in str(json_error)


def test_non_utf8_is_named(tmp_path: Path) -> None:
    error = _load(tmp_path / "latin.yaml", "__type__: Zarr\nname: caf\xe9\n".encode("latin-1"))
    assert str(error) == (
        f"{tmp_path / 'latin.yaml'} is not UTF-8 text: byte 0xe9 at offset 24 (line 2); "
        f"save the file as UTF-8"
    )


@pytest.mark.parametrize(
    ("suffix", "text"),
    [(".yaml", "a: " + "[" * 5000 + "]" * 5000), (".json", "[" * 100_000 + "]" * 100_000)],
)
def test_deep_nesting_is_named(tmp_path: Path, suffix: str, text: str) -> None:
    error = _load(tmp_path / f"deep{suffix}", text.encode())
    assert "is nested too deeply to read" in str(error)


def test_deep_nesting_of_plain_data_is_named() -> None:
    data: dict[str, object] = {"__type__": "OnesArrayConfig", "name": "x"}
    for _ in range(5000):
        data = {"__type__": "CropArrayConfig", "name": "c", "source_array_config": data}
    with pytest.raises(ConfigError, match="nested too deeply"):
        ArrayConfig.from_dict(data, source="deep data")


@pytest.mark.parametrize(
    ("tag", "message"),
    [
        ("[ZarrArrayConfig]", "unknown array config type ['ZarrArrayConfig']"),
        ("{a: 1}", "unknown array config type {'a': 1}"),
        ("ArrayConfig", "ArrayConfig is the abstract base and describes no array"),
    ],
)
def test_bad_type_tags_are_config_errors(tmp_path: Path, tag: str, message: str) -> None:
    error = _load(tmp_path / "tag.yaml", f"__type__: {tag}\nname: a\n".encode())
    assert f"$.__type__: {message}" in str(error)


def test_snap_to_grid_zero_and_dotdot_dataset(tmp_path: Path) -> None:
    base = "__type__: ZarrArrayConfig\nname: a\nfile_name: x.zarr\n"
    zero = _load(tmp_path / "z.yaml", (base + "dataset: raw\nsnap_to_grid: [0, 4, 4]\n").encode())
    assert "snap_to_grid (0, 4, 4) has an entry <= 0; give a positive size" in str(zero)
    up = _load(tmp_path / "u.yaml", (base + "dataset: raw/../../y.zarr/raw\n").encode())
    assert "dataset 'raw/../../y.zarr/raw' contains '..': a dataset path must stay" in str(up)
    with pytest.raises(ConfigError, match=r"contains '\.\.'"):
        ZarrArrayConfig(name="a", file_name="x.zarr", dataset="../raw")


def test_the_cli_answers_within_20_s(tmp_path: Path) -> None:
    (tmp_path / "lol.yaml").write_text(LAUGHS)
    (tmp_path / "big.yaml").write_bytes(b"name: '" + b"x" * (50 * 2**20) + b"'\n")
    entry = str(Path(sys.executable).parent / "dacapo-arrays")
    for name in ("lol.yaml", "big.yaml"):
        started = time.monotonic()
        done = subprocess.run(
            [entry, "check", str(tmp_path / name)], capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
        assert time.monotonic() - started < 20
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"error: {tmp_path / name}")
