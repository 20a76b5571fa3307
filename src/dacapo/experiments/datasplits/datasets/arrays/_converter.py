"""The one converter: every config kind to plain data tagged with ``__type__`` and back.

Config kinds are found from ``ArrayConfig``'s subclasses, i.e. from the imports in the
package ``__init__`` (the registry). Documents written by the original DaCapo load unchanged:
``Roi`` as ``[offset, shape]``, ``Coordinate`` as a list, the ``_axes`` key.
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable
from typing import Any

import attrs
import cattrs
from cattrs.gen import override
from cattrs.strategies import configure_tagged_union, include_subclasses
from funlib.geometry import Coordinate, Roi
from upath import UPath

from ._document_limits import too_deep
from ._fields import Grouping, resolve_types, to_grouping
from ._geometry import to_coordinate, to_roi
from .array_config import ArrayConfig
from .errors import ArrayError, ConfigError

TAG = "__type__"


def _all_subclasses(cls: type) -> list[type]:
    found: list[type] = []
    subclasses: list[type] = cls.__subclasses__()
    for sub in subclasses:
        found.append(sub)
        found.extend(_all_subclasses(sub))
    return found


def _live_subclasses() -> tuple[type, ...] | None:
    """``ArrayConfig``'s subclasses without the classes attrs replaced by slotted copies
    (they stay in ``__subclasses__()`` until garbage collected); ``None`` if some could not
    be told apart (two of one name)."""
    found = [c for c in _all_subclasses(ArrayConfig) if "__attrs_base_of_slotted__" not in vars(c)]
    names = {(c.__module__, c.__qualname__) for c in found}
    return tuple(found) if len(names) == len(found) else None


def _include_subclasses(conv: cattrs.Converter, **options: Any) -> None:
    """cattrs' ``include_subclasses`` for ``ArrayConfig``. It runs a full garbage collection
    first to drop replaced classes, ~15 ms in a fresh process; given the live subclasses,
    it runs with the objects alive so far frozen out of that collection. A process that
    froze objects itself (``gc.freeze`` before forking workers) keeps them frozen: there,
    cattrs collects as usual."""
    live = _live_subclasses()
    if live is None or gc.get_freeze_count():
        include_subclasses(ArrayConfig, conv, **options)
        return
    gc.freeze()
    try:
        include_subclasses(ArrayConfig, conv, subclasses=live, **options)
    finally:
        gc.unfreeze()


def _plain(value: Any) -> Any:
    """Tuples (and Coordinates) become lists, so every format can hold the data."""
    if isinstance(value, dict):
        tag = {TAG: value[TAG]} if TAG in value else {}  # the tag first: easier to read
        return tag | {k: _plain(v) for k, v in value.items() if k != TAG}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@functools.cache
def converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True)
    conv.register_structure_hook(Coordinate, lambda v, _: to_coordinate(v))
    conv.register_unstructure_hook(Coordinate, lambda c: [int(x) for x in c])
    conv.register_structure_hook(Roi, lambda v, _: to_roi(v))
    conv.register_unstructure_hook(
        Roi, lambda r: [[int(x) for x in r.offset], [int(x) for x in r.shape]]
    )
    conv.register_structure_hook(UPath, lambda v, _: UPath(v))
    conv.register_structure_hook(int | float, _number)
    conv.register_structure_hook(int, _strict_int)
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(float, _strict_float)
    conv.register_structure_hook(str, _strict_str)
    conv.register_structure_hook_func(lambda t: t == Grouping, lambda v, _: to_grouping(v))
    conv.register_unstructure_hook(UPath, str)
    for cls in [ArrayConfig, *_all_subclasses(ArrayConfig)]:
        resolve_types(cls)
    _include_subclasses(
        conv,
        overrides=_raw_data_overrides(),
        union_strategy=functools.partial(
            configure_tagged_union, tag_name=TAG, tag_generator=lambda cl: cl.__name__
        ),
    )
    return conv


def _raw_data_overrides() -> dict[str, Any]:
    """Fields whose attrs converter reads raw file data (see ``_fields.reads_raw_data``)."""
    found: dict[str, Any] = {}
    for cls in _all_subclasses(ArrayConfig):
        for field in attrs.fields(cls):
            convert = field.converter
            if not getattr(convert, "reads_raw_data", False):
                continue
            if found.get(field.name, convert) is not convert:
                raise TypeError(f"field {field.name!r} has two raw-data converters")
            found[field.name] = convert
    return {name: override(struct_hook=_raw(convert)) for name, convert in found.items()}


def _raw(convert: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    return lambda value, _: convert(value)


def _number(value: Any, _: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return value


def _strict_int(value: Any, _: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {value!r}")
    return value


def _strict_bool(value: Any, _: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, got {value!r}")
    return value


def _strict_float(value: Any, _: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number, got {value!r}")
    return float(value)


def _strict_str(value: Any, _: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {value!r}")
    return value


def unstructure_config(config: ArrayConfig) -> dict[str, Any]:
    data = converter().unstructure(config, unstructure_as=ArrayConfig)
    return _plain(data)  # type: ignore[no-any-return]


def _known_types() -> str:
    return ", ".join(sorted(c.__name__ for c in _all_subclasses(ArrayConfig)))


def _check_tags(data: Any, path: str, problems: list[str]) -> None:
    """Find unknown or missing ``__type__`` tags anywhere in the tree, with their paths."""
    known = {c.__name__ for c in _all_subclasses(ArrayConfig)} | {"ArrayConfig"}
    if isinstance(data, dict):
        tag = data.get(TAG)
        if tag is not None and (not isinstance(tag, str) or tag not in known):
            problems.append(
                f"  {path}.{TAG}: unknown array config type {tag!r}; known: {_known_types()}"
            )
        elif tag == "ArrayConfig":
            problems.append(
                f"  {path}.{TAG}: ArrayConfig is the abstract base and describes no array; "
                f"name a kind, one of: {_known_types()}"
            )
        for key, value in data.items():
            _check_tags(value, f"{path}.{key}", problems)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            _check_tags(value, f"{path}[{i}]", problems)


def structure_config(data: Any, *, source: str | None = None) -> ArrayConfig:
    what = source or "the data"
    if not isinstance(data, dict) or TAG not in data:
        got = type(data).__name__ if not isinstance(data, dict) else f"keys {sorted(data)}"
        raise ConfigError(
            f"{what} is not a valid array config:\n  $: expected a mapping with a "
            f"{TAG!r} key naming the config class (e.g. ZarrArrayConfig), got {got}"
        )
    problems: list[str] = []
    try:
        _check_tags(data, "$", problems)
    except RecursionError as err:
        raise too_deep(what) from err
    if problems:
        raise ConfigError(f"{what} is not a valid array config:\n" + "\n".join(problems))
    try:
        config = converter().structure(data, ArrayConfig)
    except RecursionError as err:
        raise too_deep(what) from err
    except Exception as err:  # cattrs groups every field's error; translate them all
        lines = [f"  {line}" for line in _describe(err)]
        raise ConfigError(f"{what} is not a valid array config:\n" + "\n".join(lines)) from err
    return config


def _describe(err: BaseException) -> list[str]:
    if isinstance(err, cattrs.BaseValidationError):
        lines = cattrs.transform_error(err, path="$", format_exception=_format_exception)
        return [_flip(line) for line in lines]
    return [f"$: {_format_exception(err, None)}"]


def _flip(line: str) -> str:
    """cattrs says ``problem @ $.path``; we say ``$.path: problem``."""
    problem, sep, path = line.rpartition(" @ ")
    return f"{path}: {problem}" if sep else line


def _format_exception(exc: BaseException, type_: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"unknown field(s) {sorted(exc.extra_fields)}; check the spelling"
    if isinstance(exc, ArrayError | ValueError) and str(exc).startswith("expected"):
        return str(exc)
    if isinstance(exc, ArrayError):
        return str(exc)
    name = getattr(type_, "__name__", None) or (str(type_) if type_ is not None else None)
    expected = f" (expected {name})" if name else ""
    return f"{exc}{expected}" if str(exc) else f"invalid value{expected}"
