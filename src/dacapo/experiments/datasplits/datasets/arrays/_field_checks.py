"""attrs validators for fields whose bad values used to fail late and obscurely."""

from __future__ import annotations

from typing import Any

import attrs

from .errors import ConfigError, GeometryError


def dataset_path(instance: Any, attribute: attrs.Attribute[str], value: str) -> None:
    """A dataset path stays inside its container: no ``..`` (nor ``.``) component."""
    parts = value.replace("\\", "/").split("/")
    if ".." in parts:
        raise ConfigError(
            f"{attribute.name} {value!r} contains '..': a dataset path must stay inside its "
            f"container; name the dataset from the container's root (e.g. 'raw/s0'), or "
            f"change file_name"
        )


def positive_grid(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A grid (e.g. ``snap_to_grid``) has a positive entry per axis."""
    if value is not None and any(v <= 0 for v in value):
        raise GeometryError(
            f"{attribute.name} {tuple(value)} has an entry <= 0; give a positive size in nm "
            f"per spatial axis, e.g. (8, 8, 8), or leave it unset"
        )
