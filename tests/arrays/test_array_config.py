from __future__ import annotations

import json
from pathlib import Path

import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import HealthCheck, given, settings
from upath import UPath

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayIdentifier,
    BinarizeArrayConfig,
    ConfigError,
    ConfigFileNotFoundError,
    CropArrayConfig,
    DummyArray,
    DummyArrayConfig,
    LocalArrayIdentifier,
    ZarrArrayConfig,
)
from dacapo_arrays.testing.strategies import array_configs

# A file as the original DaCapo's FileConfigStore wrote it (yaml.dump: sorted keys,
# !!python/tuple tags, Roi as (offset, shape), the private _axes key).
ORIGINAL_YAML = """\
__type__: CropArrayConfig
name: crop
roi: !!python/tuple
- !!python/tuple
  - 0
  - 0
  - 0
- !!python/tuple
  - 64
  - 64
  - 64
source_array_config:
  __type__: BinarizeArrayConfig
  background: 0
  groupings:
  - !!python/tuple
    - mito
    - - 1
      - 2
  name: gt_bin
  source_array_config:
    __type__: ZarrArrayConfig
    _axes:
    - z
    - y
    - x
    dataset: volumes/raw
    file_name: /data/x.zarr
    mode: a
    name: raw
    snap_to_grid: !!python/tuple
    - 4
    - 4
    - 4
"""

EXPECTED = CropArrayConfig(
    name="crop",
    roi=Roi((0, 0, 0), (64, 64, 64)),
    source_array_config=BinarizeArrayConfig(
        name="gt_bin",
        groupings=[("mito", [1, 2])],
        source_array_config=ZarrArrayConfig(
            name="raw",
            file_name=UPath("/data/x.zarr"),
            dataset="volumes/raw",
            snap_to_grid=Coordinate(4, 4, 4),
            axes=["z", "y", "x"],
            mode="a",
        ),
    ),
)


def test_base_config_as_documented() -> None:
    config = ArrayConfig(name="array_config")
    assert config.verify() == (True, "No validation for this Array")
    with pytest.raises(TypeError, match="describes no array kind"):
        config.create_array()


def test_create_array_and_alias() -> None:
    config = DummyArrayConfig(name="dummy")
    assert isinstance(config.create_array(), DummyArray)
    assert isinstance(config.to_array(), DummyArray)
    assert config.to_array().name == "dummy"


def test_configs_are_frozen_and_checked() -> None:
    config = DummyArrayConfig(name="dummy")
    with pytest.raises(AttributeError):
        config.name = "other"  # type: ignore[misc]
    with pytest.raises(TypeError, match="'name' must be a string"):
        DummyArrayConfig(name=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="would be truncated"):
        ZarrArrayConfig(name="z", file_name="x.zarr", dataset="d", snap_to_grid=(4.5, 4, 4))


def test_verify_walks_the_tree_and_names_paths() -> None:
    tree = CropArrayConfig(
        name="crop",
        roi=Roi((0, 0, 0), (8, 8, 8)),
        source_array_config=DummyArrayConfig(name="inner"),
    )
    assert tree.verify() == (
        False,
        "$.source_array_config (DummyArrayConfig 'inner'): "
        "This is a DummyArrayConfig and is never valid",
    )


def test_original_dacapo_yaml_loads_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "crop.yaml"
    path.write_text(ORIGINAL_YAML)
    assert ArrayConfig.from_file(path) == EXPECTED


def test_original_dacapo_json_loads_unchanged(tmp_path: Path) -> None:
    document = {
        "__type__": "ZarrArrayConfig",
        "name": "raw",
        "file_name": "/data/x.zarr",
        "dataset": "volumes/raw",
        "snap_to_grid": [4, 4, 4],
        "_axes": ["z", "y", "x"],
        "mode": "a",
    }
    path = tmp_path / "raw.json"
    path.write_text(json.dumps(document))
    assert ArrayConfig.from_file(path) == EXPECTED.source_array_config.source_array_config


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".toml", ".json"])
def test_files_round_trip(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"crop{suffix}"
    EXPECTED.to_file(path)
    assert ArrayConfig.from_file(path) == EXPECTED


def test_toml_text_round_trip() -> None:
    assert ArrayConfig.from_toml_text(EXPECTED.to_toml_text()) == EXPECTED


@pytest.mark.parametrize("name", ["crop.toml", "crop.cfg"])
def test_to_toml_and_from_toml_take_a_file_as_the_spec_writes(tmp_path: Path, name) -> None:
    """``config.to_toml(path)`` saves, ``Kind.from_toml(path)`` loads: TOML whatever the suffix."""
    path = tmp_path / name
    assert EXPECTED.to_toml(path) is None
    assert path.read_text() == EXPECTED.to_toml_text()
    assert type(EXPECTED).from_toml(path) == EXPECTED
    assert ArrayConfig.from_toml(str(path)) == EXPECTED
    with pytest.raises(FileNotFoundError, match=r"config file .*missing.toml' does not exist"):
        ArrayConfig.from_toml(tmp_path / "missing.toml")


def test_written_yaml_is_safe_yaml(tmp_path: Path) -> None:
    import yaml

    path = tmp_path / "crop.yaml"
    EXPECTED.to_file(path)
    assert "!!python" not in path.read_text()
    assert yaml.safe_load(path.read_text())["__type__"] == "CropArrayConfig"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=array_configs())
def test_every_kind_round_trips_through_every_format(config: ArrayConfig) -> None:
    from dacapo.experiments.datasplits.datasets.arrays._files import dumps, loads

    for fmt in ("yaml", "toml", "json"):
        text = dumps(config.to_dict(), fmt)
        assert ArrayConfig.from_dict(loads(text, fmt, source="t"), source="t") == config


def _load_text(tmp_path: Path, name: str, text: str) -> ArrayConfig:
    path = tmp_path / name
    path.write_text(text)
    return ArrayConfig.from_file(path)


def test_error_names_file_field_path_and_problem(tmp_path: Path) -> None:
    text = ORIGINAL_YAML.replace(
        "  - !!python/tuple\n    - mito", "  - mito\n  - !!python/tuple\n    - mito"
    )
    with pytest.raises(ConfigError) as err:
        _load_text(tmp_path, "raw.yaml", text)
    assert str(err.value) == (
        f"{tmp_path / 'raw.yaml'} is not a valid array config:\n"
        "  $.source_array_config.groupings[0]: expected a (name, [ids]) pair, got 'mito'"
    )


def test_unknown_type_lists_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError,
        match=r"\$\.source_array_config\.__type__: unknown array config type "
        r"'BinariseArrayConfig'; known: BinarizeArrayConfig",
    ):
        _load_text(
            tmp_path, "x.yaml", ORIGINAL_YAML.replace("BinarizeArrayConfig", "BinariseArrayConfig")
        )


def test_missing_and_extra_fields(tmp_path: Path) -> None:
    text = ORIGINAL_YAML.replace("    dataset: volumes/raw\n", "    datset: volumes/raw\n")
    with pytest.raises(ConfigError) as err:
        _load_text(tmp_path, "x.yaml", text)
    message = str(err.value)
    assert "$.source_array_config.source_array_config.dataset: required field missing" in message
    assert "$.source_array_config.source_array_config: unknown field(s) ['datset']" in message


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("x.yaml", "a: [1, 2", r"x.yaml is not valid YAML"),
        ("x.toml", "a = ", r"x.toml is not valid TOML"),
        ("x.json", "{", r"x.json is not valid JSON"),
        ("x.yaml", "- 1\n- 2\n", r"expected a mapping with a '__type__' key .* got list"),
        (
            "x.json",
            '{"name": "x"}',
            r"expected a mapping with a '__type__' key .* got keys \['name'\]",
        ),
        ("x.cfg", "", r"name it \*.yaml, \*.yml, \*.toml or \*.json"),
        ("x.yaml", "!!python/object:os.system {}\n", r"x.yaml is not valid YAML"),
    ],
)
def test_malformed_files(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load_text(tmp_path, name, text)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigFileNotFoundError, match=r"does not exist; check the path") as err:
        ArrayConfig.from_file(tmp_path / "nope.yaml")
    assert isinstance(err.value, FileNotFoundError)


def test_from_dict_checks_the_requested_class() -> None:
    with pytest.raises(TypeError, match="describes a DummyArrayConfig, not a ZarrArrayConfig"):
        ZarrArrayConfig.from_dict({"__type__": "DummyArrayConfig", "name": "d"})


def test_array_identifier() -> None:
    ident = ArrayIdentifier("/data/out.zarr", "pred/s0")
    assert ident.container == UPath("/data/out.zarr")
    assert ident.dataset == "pred/s0"
    assert LocalArrayIdentifier is ArrayIdentifier


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("background", 1.5, r"\$\.background: expected a whole number, got 1.5"),
        ("background", True, r"\$\.background: expected a whole number, got True"),
        ("name", 5, r"\$\.name: expected a string, got 5"),
    ],
)
def test_scalars_are_not_coerced(field: str, value: object, message: str) -> None:
    document = {
        "__type__": "BinarizeArrayConfig",
        "name": "b",
        "groupings": [["mito", [1]]],
        "source_array_config": {"__type__": "DummyArrayConfig", "name": "d"},
    }
    document[field] = value
    with pytest.raises(ConfigError, match=message):
        ArrayConfig.from_dict(document)
