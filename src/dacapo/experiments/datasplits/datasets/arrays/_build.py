"""One walk over a config tree: each node built once, bottom-up, every problem with its path.

``build_tree(config)`` visits the tree parents-first for display, but builds each node after
its sources, and each distinct config once (equal configs, anywhere in the tree, share one
array). While a walk runs, a kind that builds a source through :func:`as_array` gets the
walk's array instead of opening the store again, so ``create_array()``, ``verify()``,
``info`` and ``check`` read a store's metadata once, whatever the depth of the tree.

* ``check=True`` (``verify()``, ``info``, ``check``): a config's own field problems
  (``ArrayConfig._problems``) are reported and the node is not built; a node whose sources
  have problems is not built either (they report theirs); what building raises is reported.
  Nothing is raised.
* ``check=False`` (``create_array()``): the first error raised while building propagates,
  with its own type and message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from .array import Array
    from .array_config import ArrayConfig


@attrs.frozen
class Problem:
    """One problem of a config tree: where (``$.source_array_config``), which config, what."""

    path: str
    config: ArrayConfig
    error: Exception

    def __str__(self) -> str:
        return f"{self.path} ({type(self.config).__name__} {self.config.name!r}): {self.error}"


@attrs.frozen
class Node:
    """One config of a tree, with its config path and what building it gave."""

    path: str
    field: str
    depth: int
    config: ArrayConfig
    array: Array | None
    problems: tuple[Problem, ...]

    @property
    def is_leaf(self) -> bool:
        return not any(True for _ in self.config.sources())

    @property
    def title(self) -> str:
        return f"{type(self.config).__name__} {self.config.name!r}"


@attrs.frozen
class Tree:
    """A built config tree: its nodes (parents before their sources) and every problem."""

    nodes: tuple[Node, ...]

    @property
    def array(self) -> Array | None:
        """The root's array (``None`` when anything in the tree has a problem)."""
        return self.nodes[0].array

    @property
    def problems(self) -> list[Problem]:
        """Every problem, in tree order."""
        return [p for node in self.nodes for p in node.problems]


_WALK: ContextVar[_Walk | None] = ContextVar("dacapo_arrays_build_walk", default=None)


class _Walk:
    def __init__(self, *, check: bool) -> None:
        self.check = check
        # (config, array or None, own problems as errors): linear lookup by equality, since
        # configs hold lists and are not hashable; trees are small.
        self.built: list[tuple[ArrayConfig, Array | None, list[Exception]]] = []

    def find(self, config: ArrayConfig) -> tuple[Array | None, list[Exception]] | None:
        for known, array, errors in self.built:
            if known is config or known == config:
                return array, errors
        return None

    def visit(self, config: ArrayConfig, path: str, field: str, depth: int) -> Iterator[Node]:
        """The nodes of ``config``'s subtree, parents first; sources are built first."""
        if not self.check and self.find(config) is None:
            self.refuse(config)
        children: list[Node] = []
        for field_path, source in config.sources():
            children.extend(self.visit(source, f"{path}.{field_path}", field_path, depth + 1))
        found = self.find(config)
        if found is None:
            sources_ok = all(node.array is not None for node in children)
            found = self.build(config, sources_ok)
            self.built.append((config, *found))
        array, errors = found
        yield Node(
            path, field, depth, config, array, tuple(Problem(path, config, e) for e in errors)
        )
        yield from children

    @staticmethod
    def refuse(config: ArrayConfig) -> None:
        """Raise on a computed config's own field problems before its sources are opened."""
        from .errors import ConfigError

        array_type = getattr(type(config), "array_type", None)
        if array_type is None or not any(True for _ in config.sources()):
            return  # a stored kind checks its fields itself, when it is built
        problems = config._problems()
        if problems:
            label = (
                f"{array_type.__name__} {config.name!r}" if config.name else array_type.__name__
            )
            raise ConfigError(f"cannot build {label}: " + "; ".join(problems))

    def build(self, config: ArrayConfig, sources_ok: bool) -> tuple[Array | None, list[Exception]]:
        from .errors import ConfigError

        if self.check:
            own = config._problems()
            if own:
                return None, [ConfigError(p) for p in own]
            kind = type(config)
            if not sources_ok or not kind.built_by_verify or not hasattr(kind, "array_type"):
                # The sources report theirs; a base config builds nothing; a kind that
                # needs the network to build (DVID) is reached by ``check`` only.
                return None, []
        token = _WALK.set(self)
        try:
            array = config._construct()
            if self.check:
                array._verify()
            return array, []
        except Exception as err:
            if not self.check:
                raise
            return None, [err]
        finally:
            _WALK.reset(token)


def build_tree(config: ArrayConfig, path: str = "$", *, check: bool = True) -> Tree:
    """Build every node of ``config``'s tree once; see the module docstring."""
    return Tree(tuple(_Walk(check=check).visit(config, path, "", 0)))


def as_array(source: Array | ArrayConfig) -> Array:
    """An ``Array`` as is, or the array a config describes (the running walk's, if built)."""
    from .array import Array

    if isinstance(source, Array):
        return source
    walk = _WALK.get()
    if walk is not None:
        found = walk.find(source)
        if found is not None and found[0] is not None:
            return found[0]
    return source.create_array()
