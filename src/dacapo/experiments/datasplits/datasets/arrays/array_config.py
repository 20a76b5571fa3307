"""``ArrayConfig``: the declarative description of an array, and ``ArrayIdentifier``.

Configs are frozen attrs classes. One converter (``_converter.py``) turns any config tree into
plain data tagged with ``"__type__"`` and back; ``to_file``/``from_file`` choose YAML, TOML or
JSON by suffix. ``verify()`` checks the whole tree (fields, sources, paths) without reading
voxel data and reports every problem with its config path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, ClassVar, cast

import attrs

from ._fields import to_upath
from ._storage.units import world_unit
from .array import Array

if TYPE_CHECKING:
    import funlib.persistence
    from upath import UPath  # imported by the first path made (see _fields.to_upath)

NO_VALIDATION = "No validation for this Array"


def _non_empty_name(instance: Any, attribute: attrs.Attribute[str], value: Any) -> None:
    if not isinstance(value, str):
        raise TypeError(f"'{attribute.name}' must be a string; got {value!r}")


@attrs.frozen
class ArrayConfig:
    """Base class of array configs; each kind pairs an ``Array`` with an ``ArrayConfig``.

    >>> ArrayConfig(name="array_config").verify()
    (True, 'No validation for this Array')
    """

    name: str = attrs.field(
        validator=_non_empty_name,
        metadata={"help_text": "A unique, short name for this array (no special characters)."},
    )

    #: The Array class this config builds (a class attribute, never serialized).
    array_type: ClassVar[type[Array]]
    #: Whether ``verify()`` builds this kind (opening its metadata); not when that needs a
    #: server (DVID), which ``dacapo-arrays check`` reaches instead.
    built_by_verify: ClassVar[bool] = True

    # -- building --------------------------------------------------------------------------

    def create_array(self) -> Array:
        """Build the array this config describes, each node of its tree once (``_build``).

        Raises what building raises (e.g. :class:`~.errors.DatasetNotFoundError`,
        :class:`~.errors.GeometryError`), with its own type and message.
        """
        from ._build import build_tree

        array = build_tree(self, check=False).array
        assert array is not None  # check=False raises instead
        return array

    def _construct(self) -> Array:
        """``array_type(self)``: this node alone (its sources come from the running walk)."""
        array_type = getattr(type(self), "array_type", None)
        if array_type is None:
            raise TypeError(
                f"{type(self).__name__} describes no array kind; use one of its subclasses "
                f"(e.g. ZarrArrayConfig)"
            )
        return cast(Array, array_type(self))

    def to_array(self) -> Array:
        """Alias of :meth:`create_array`."""
        return self.create_array()

    # -- checking --------------------------------------------------------------------------

    def _problems(self) -> list[str]:
        """This config's own field problems, found without opening anything (not its
        sources'); kinds override to add checks. What building finds (missing datasets,
        disagreeing sources) is reported by the build walk."""
        return []

    def sources(self) -> Iterator[tuple[str, ArrayConfig]]:
        """The nested source configs, with the field path that leads to each."""
        for field in attrs.fields(type(self)):
            value = getattr(self, field.name)
            if isinstance(value, ArrayConfig):
                yield field.name, value
            elif isinstance(value, list | tuple):
                for i, item in enumerate(value):
                    if isinstance(item, ArrayConfig):
                        yield f"{field.name}[{i}]", item
            elif isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(item, ArrayConfig):
                        yield f"{field.name}[{key!r}]", item

    def problems(self, path: str = "$") -> list[str]:
        """Every problem of this config tree, each prefixed with its config path.

        One build walk (``_build.build_tree``): each node is built once, after its sources.
        """
        from ._build import build_tree

        return [str(p) for p in build_tree(self, path).problems]

    def verify(self) -> tuple[bool, str]:
        """Check this config and all its sources before anything is read.

        Returns ``(True, "No validation for this Array")`` when nothing is wrong, else
        ``(False, message)`` with one line per problem, each naming its config path.
        """
        found = self.problems()
        if not found:
            return True, NO_VALIDATION
        return False, "\n".join(found)

    # -- (de)serialization -----------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """Plain data (lists, dicts, str, int, float, bool, None) tagged with ``__type__``."""
        from ._converter import unstructure_config

        return unstructure_config(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str | None = None) -> ArrayConfig:
        """Build the config ``data["__type__"]`` names; ``source`` names the data in errors."""
        from ._converter import structure_config

        config = structure_config(data, source=source)
        if not isinstance(config, cls):
            raise TypeError(
                f"{source or 'the data'} describes a {type(config).__name__}, "
                f"not a {cls.__name__}; load it with ArrayConfig.from_dict"
            )
        return config

    def to_file(self, path: str | os.PathLike[str]) -> None:
        """Write this config to ``path``: YAML, TOML or JSON by its suffix."""
        from ._files import write_document

        write_document(self.to_dict(), path)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> ArrayConfig:
        """Read a config written by :meth:`to_file` (or by the original DaCapo)."""
        from ._files import read_document

        return cls.from_dict(read_document(path), source=str(path))

    def array(self, mode: str = "r") -> funlib.persistence.Array:
        """This config's array as a lazy ``funlib.persistence.Array`` (dacapo-ml >= 0.3.5
        and funlib code take it unchanged); ``mode`` other than ``"r"`` needs a writable
        array (``_funlib``)."""
        from ._funlib import config_array

        return config_array(self, mode)

    def to_toml(self, toml_path: str | os.PathLike[str]) -> None:
        """Save this config to the TOML file ``toml_path`` (whatever its suffix)."""
        from upath import UPath

        UPath(toml_path).write_text(self.to_toml_text(), encoding="utf-8")

    @classmethod
    def from_toml(cls, toml_path: str | os.PathLike[str]) -> ArrayConfig:
        """Load a config from the TOML file ``toml_path`` (see :meth:`to_toml`)."""
        from ._files import read_document

        return cls.from_dict(read_document(toml_path, fmt="toml"), source=str(toml_path))

    def to_toml_text(self) -> str:
        """This config as TOML text (what :meth:`to_toml` writes)."""
        from ._files import dumps

        return dumps(self.to_dict(), "toml")

    @classmethod
    def from_toml_text(cls, text: str) -> ArrayConfig:
        """Parse a config from TOML text (see :meth:`to_toml_text`)."""
        from ._files import loads

        return cls.from_dict(loads(text, "toml", source="TOML text"), source="TOML text")


#: The validator of a field that holds a nested source config.
is_config = attrs.validators.instance_of(ArrayConfig)


def _world_unit_text(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    world_unit(value, field="ArrayIdentifier.world_unit")


@attrs.frozen
class ArrayIdentifier:
    """Where a stored array lives: a container (zarr / N5 path or URL) and a dataset in it.

    ``format`` picks the storage format of a dataset to create: ``"zarr2"``, ``"zarr3"`` or
    ``"n5"``; ``None`` lets the container decide (its existing format, N5 for ``*.n5``, else
    zarr v2).

    ``world_unit`` is the unit of the world coordinates (voxel size, ROI) the dataset is
    created and opened with, as ``ZarrArrayConfig.world_unit`` (default ``nm``); a dataset
    created in ``"0.01 nm"`` stores its values in nm (5.24 for 524) and opens with it again.
    """

    container: UPath = attrs.field(converter=to_upath)
    dataset: str = attrs.field(validator=attrs.validators.instance_of(str))
    format: str | None = attrs.field(
        default=None,
        validator=attrs.validators.optional(attrs.validators.in_(("zarr2", "zarr3", "n5"))),
    )
    world_unit: str | None = attrs.field(default=None, validator=_world_unit_text)


#: The original DaCapo's name for :class:`ArrayIdentifier`.
LocalArrayIdentifier = ArrayIdentifier
