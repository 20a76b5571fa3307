"""Config documents on disk: YAML, TOML or JSON, chosen by the file's suffix.

YAML is read with a safe loader (``_yaml.py``) that also accepts the ``!!python/tuple`` tags
the original DaCapo wrote with ``yaml.dump``; nothing in a document is ever executed. TOML
has no null: keys whose value is ``None`` are left out when writing and take their defaults
when read. Each format's library is imported when a document of that format is read or
written, not before: a JSON config (or none) never pays for PyYAML.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ._document_limits import check_size, decode, too_deep, unique_pairs
from .errors import ConfigError, ConfigFileNotFoundError

FORMATS = {".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".json": "json"}


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
        from . import _yaml

        return _yaml.dumps(data)
    if fmt == "toml":
        import tomli_w

        return tomli_w.dumps(_drop_none(data))
    return json.dumps(data, indent=2) + "\n"


def _parser(fmt: str) -> tuple[Any, type[Exception]]:
    """``(parse, error)`` for ``fmt``: the function and what it raises on invalid text."""
    if fmt == "yaml":
        from . import _yaml

        return _yaml.loads, _yaml.ERROR
    if fmt == "toml":
        import tomllib

        return tomllib.loads, tomllib.TOMLDecodeError
    return (lambda text: json.loads(text, object_pairs_hook=unique_pairs)), json.JSONDecodeError


def loads(text: str, fmt: str, *, source: str) -> Any:
    parse, error = _parser(fmt)
    try:
        return parse(text)
    except error as err:
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
