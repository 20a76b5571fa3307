"""``VirtualArray``: the base of arrays computed on demand from other arrays.

A virtual kind reads its ``sources`` in ``_read(roi)``, asking each for exactly the ROI it
needs. Its spec starts as its first source's (``self.source.spec``) and a kind changes only
what it changes, with ``attrs.evolve``; ``attrs`` are the first source's too. Virtual arrays
are never writable and have no stored ``data``.

The constructor builds the sources of a config once each (equal configs share one array),
through the one build walk of ``_build``, and refuses a config whose own fields have
problems (``ArrayConfig._problems``) with one :class:`~.errors.ConfigError`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._build import as_array
from ._multi_source import same_world_unit
from .array import Array
from .errors import ConfigError, VirtualArrayError

if TYPE_CHECKING:
    from .array_config import ArrayConfig

__all__ = ["VirtualArray", "as_array"]


class VirtualArray(Array):
    """An array computed on demand from its ``sources`` (one, ``source``, for most kinds).

    ``VirtualArray(config)`` builds the config's sources; ``VirtualArray(array)`` is the
    documented shortcut ``OnesArray(source_array)``: wrap an existing array.
    """

    def __init__(self, array_config: ArrayConfig | Array) -> None:
        if isinstance(array_config, Array):
            self._config: ArrayConfig | None = None
            self.name = ""
            self.sources = (array_config,)
        else:
            self._config = array_config
            self.name = array_config.name
            problems = array_config._problems()
            if problems:
                raise ConfigError(f"cannot build {self._label()}: " + "; ".join(problems))
            self.sources = _build_sources(array_config)
            _check_world_units(array_config, self.sources, self._label())
        if self.sources:
            self.spec = self.sources[0].spec

    @property
    def source(self) -> Array:
        """The (first) array this one is computed from."""
        return self.sources[0]

    @property
    def source_array(self) -> Array:
        """The original DaCapo's name of :attr:`source`."""
        return self.sources[0]

    @property
    def attrs(self) -> dict[str, Any]:
        return self.source.attrs

    @property
    def data(self) -> Any:
        raise VirtualArrayError(
            f"{self._label()} has no stored data: it is a virtual array computed on demand "
            f"from {type(self.source).__name__}; read it by ROI with array[roi], or write "
            f"it out with `dacapo-arrays write`"
        )


def _check_world_units(config: ArrayConfig, sources: tuple[Array, ...], owner: str) -> None:
    """Sources in different world units would mix lengths (524 x 0.01 nm beside 5 nm):
    refused for every kind with several sources, before its own geometry checks."""
    if len(sources) > 1:
        named = [(path, array) for (path, _), array in zip(config.sources(), sources, strict=True)]
        same_world_unit(named, owner)


def _build_sources(config: ArrayConfig) -> tuple[Array, ...]:
    """The arrays of ``config.sources()``, in order; equal configs give one shared array."""
    built: list[tuple[ArrayConfig, Array]] = []
    out = []
    for _, source in config.sources():
        array = next((a for known, a in built if known == source), None)
        if array is None:
            array = as_array(source)
            built.append((source, array))
        out.append(array)
    return tuple(out)
