"""Bounds on config documents, so a hostile or broken file ends in a ``ConfigError`` at once.

* size: a config file larger than ``DACAPO_ARRAYS_MAX_CONFIG_BYTES`` (default 1 MiB; real
  configs are a few KiB) is refused before it is read;
* YAML aliases: a document whose aliases would expand to more than :data:`MAX_NODES` nodes
  (a "billion laughs") is refused after composing, before anything walks the expansion
  (the loader is in ``_yaml.py``: PyYAML is imported only to read or write YAML);
* duplicated keys in a YAML or JSON mapping are an error (YAML would keep the last silently);
* nesting deeper than Python's recursion allows, and bytes that are not UTF-8, are errors
  that name the file.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .errors import ConfigError

SIZE_SETTING = "DACAPO_ARRAYS_MAX_CONFIG_BYTES"
DEFAULT_MAX_BYTES = 2**20
#: The most nodes a YAML document may have once its aliases are expanded.
MAX_NODES = 100_000


def max_config_bytes() -> int:
    text = os.environ.get(SIZE_SETTING, "").strip()
    try:
        return int(float(text)) if text else DEFAULT_MAX_BYTES
    except ValueError as err:
        raise ConfigError(
            f"environment variable {SIZE_SETTING}={text!r} is not a number of bytes; set it "
            f"to e.g. {DEFAULT_MAX_BYTES} or unset it"
        ) from err


def check_size(size: int, source: str) -> None:
    limit = max_config_bytes()
    if size > limit:
        raise ConfigError(
            f"{source} is {size:,} bytes, more than the {limit:,} bytes a config file may "
            f"have; check it is the right file, or raise the limit with the environment "
            f"variable {SIZE_SETTING}"
        )


def decode(raw: bytes, source: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise ConfigError(
            f"{source} is not UTF-8 text: byte {raw[err.start]:#04x} at offset {err.start} "
            f"(line {line}); save the file as UTF-8"
        ) from err


def unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook`` for ``json.loads`` that refuses duplicated keys."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise json.JSONDecodeError(f"found the key {key!r} twice; keep one of them", "", 0)
        found[key] = value
    return found


def too_deep(source: str) -> ConfigError:
    return ConfigError(
        f"{source} is nested too deeply to read (Python's recursion limit); a config nests "
        f"one level per source array, check the file is the right one"
    )
