"""Field helpers shared by the config kinds: converters that refuse lossy input."""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from funlib.geometry import Coordinate, Roi

from ._geometry import to_coordinate
from .errors import ConfigError

if TYPE_CHECKING:  # imported by the first path made: importing the arrays skips fsspec's cost
    from upath import UPath

Grouping = tuple[str, list[int]]


def reads_raw_data(converter: Callable[[Any], Any]) -> None:
    """Mark an attrs converter that also structures values read from files.

    The config converter hands such a field's raw value straight to it (instead of first
    structuring it by the field's type), so e.g. the original's ``interp_order: false``
    loads as 0 while a plain ``int`` field refuses ``false``.
    """
    converter.reads_raw_data = True  # type: ignore[attr-defined]


def help_text(text: str) -> dict[str, str]:
    return {"help_text": text}


#: Help text of the ``is_labels`` field of stored configs.
LABELS_HELP = "true: labels or a mask; false: intensities; default: from metadata and dtype."


def resolve_types(cls: type) -> None:
    """``attrs.resolve_types`` for a config class: its ``UPath`` fields name a class that
    the config modules import only under ``TYPE_CHECKING`` (see :func:`to_upath`)."""
    import attrs
    from upath import UPath

    attrs.resolve_types(cls, localns={"UPath": UPath})


def to_upath(value: Any) -> UPath:
    from upath import UPath

    if isinstance(value, UPath):
        return value
    if not isinstance(value, str) and not hasattr(value, "__fspath__"):
        raise TypeError(f"expected a path or URL string, got {value!r}")
    try:
        return UPath(value)
    except ValueError as err:  # e.g. "Unsupported filesystem: 'gopher'"
        raise ConfigError(
            f"cannot use {str(value)!r} as a path or URL ({err}); use a local path or a "
            f"file://, s3://, gs://, http:// or https:// URL"
        ) from err


def to_optional_coordinate(value: Any) -> Coordinate | None:
    return None if value is None else to_coordinate(value)


def to_grouping(value: Any) -> Grouping:
    """``("mito", [1, 2])`` from any (name, ids) pair; ids must be whole numbers."""
    if (
        isinstance(value, str)
        or not isinstance(value, Sequence)
        or len(value) != 2
        or not isinstance(value[0], str)
        or isinstance(value[1], str)
        or not isinstance(value[1], Sequence | range)
    ):
        raise ValueError(f"expected a (name, [ids]) pair, got {value!r}")
    name, ids = value
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise ValueError(f"label ids of group {name!r} must be integers, got {i!r}")
    return (name, [int(i) for i in ids])


def to_groupings(value: Any) -> list[Grouping]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ValueError(f"expected a list of (name, [ids]) pairs, got {value!r}")
    return [to_grouping(v) for v in value]


__all__ = [
    "Coordinate",
    "Grouping",
    "Roi",
    "help_text",
    "reads_raw_data",
    "resolve_types",
    "to_grouping",
    "to_groupings",
    "to_optional_coordinate",
    "to_upath",
]
