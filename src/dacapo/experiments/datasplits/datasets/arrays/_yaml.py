"""The YAML side of config documents: a safe loader with the bounds of ``_document_limits``.

Its own module so that PyYAML is imported only when a YAML document is read or written.
YAML is read with a safe loader that also accepts the ``!!python/tuple`` tags the original
DaCapo wrote with ``yaml.dump``; nothing in a document is ever executed.
"""

from __future__ import annotations

from typing import Any

import yaml

from ._document_limits import MAX_NODES


def _expanded_size(root: yaml.Node) -> int:
    """Nodes of ``root`` with every alias expanded, counted without expanding (memoized)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children: list[yaml.Node] = []
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if children_done or not children:
            sizes[id(node)] = 1 + sum(sizes.get(id(c), 1) for c in children)
            if sizes[id(node)] > MAX_NODES:
                return sizes[id(node)]
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


class BoundedLoader(yaml.SafeLoader):
    """A safe YAML loader that refuses alias bombs and duplicated keys."""

    def get_single_node(self) -> yaml.Node | None:
        node = super().get_single_node()
        if node is not None and _expanded_size(node) > MAX_NODES:
            raise yaml.YAMLError(
                f"its aliases (*name) expand to more than {MAX_NODES:,} values; a config "
                f"never needs that many, write the values out or use fewer aliases"
            )
        return node

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                duplicated = key in seen
                seen.add(key)
            except TypeError:  # an unhashable key: the base class reports it
                continue
            if duplicated:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"found the key {key!r} twice; keep one of them",
                    key_node.start_mark,
                )
        return super().construct_mapping(node, deep=deep)


class Loader(BoundedLoader):
    """Safe YAML, plus the ``!!python/tuple`` tag (read as a list)."""


Loader.add_constructor(
    "tag:yaml.org,2002:python/tuple",
    lambda loader, node: loader.construct_sequence(node, deep=True),  # type: ignore[arg-type]
)


def dumps(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=None)


def loads(text: str) -> Any:
    """``text`` parsed; raises ``yaml.YAMLError`` (see :data:`ERROR`)."""
    return yaml.load(text, Loader=Loader)


#: What :func:`loads` raises for a document that is not valid YAML.
ERROR = yaml.YAMLError
