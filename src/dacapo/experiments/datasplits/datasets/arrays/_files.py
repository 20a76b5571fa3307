"""Config documents on disk: YAML, TOML or JSON, chosen by the file's suffix.

YAML is read with a safe loader that also accepts the ``!!python/tuple`` tags the original
DaCapo wrote with ``yaml.dump``; nothing in a document is ever executed. TOML has no null:
keys whose value is ``None`` are left out when writing and take their defaults when read.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
import yaml

from ._document_limits import BoundedLoader, check_size, decode, too_deep, unique_pairs
from .errors import ConfigError, ConfigFileNotFoundError

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}


class _Loader(BoundedLoader):
    """Safe YAML, plus the ``!!python/tuple`` tag (read as a list)."""


_Loader.add_constructor(
    "tag:yaml.org,2002:python/tuple",
    lambda loader, node: loader.construct_sequence(node, deep=True),  # type: ignore[arg-type]
)


def format_of(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(
            f"cannot tell the format of config file {str(path)!r} from its suffix "
            f"{suffix!r}; name it *.yaml, *.yml, *.toml or *.json"
        )
    return FORMATS[suffix]


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def dumps(data: dict[str, Any], fmt: str) -> str:
    if fmt == "yaml":
        return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)
    if fmt == "toml":
        return tomli_w.dumps(_drop_none(data))
    return json.dumps(data, indent=2) + "\n"


def loads(text: str, fmt: str, *, source: str) -> Any:
    try:
        if fmt == "yaml":
            return yaml.load(text, Loader=_Loader)
        if fmt == "toml":
            return tomllib.loads(text)
        return json.loads(text, object_pairs_hook=unique_pairs)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, json.JSONDecodeError) as err:
        raise ConfigError(f"{source} is not valid {fmt.upper()}: {err}") from err
    except RecursionError as err:
        raise too_deep(source) from err


def write_document(data: dict[str, Any], path: str | os.PathLike[str]) -> None:
    fmt = format_of(path)
    Path(path).write_text(dumps(data, fmt), encoding="utf-8")


def read_document(path: str | os.PathLike[str], fmt: str | None = None) -> Any:
    fmt = fmt or format_of(path)
    file = Path(path)
    if not file.is_file():
        raise ConfigFileNotFoundError(
            f"config file {str(path)!r} does not exist"
            + ("" if not file.exists() else " as a file (it is a directory)")
            + "; check the path"
        )
    check_size(file.stat().st_size, str(path))
    return loads(decode(file.read_bytes(), str(path)), fmt, source=str(path))
