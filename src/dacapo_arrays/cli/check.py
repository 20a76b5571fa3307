"""``dacapo-arrays check CONFIG``: ``verify()`` the whole tree, then reach every store."""

from __future__ import annotations

import click

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig
from dacapo.experiments.datasplits.datasets.arrays._build import Node, Tree, build_tree
from dacapo.experiments.datasplits.datasets.arrays._storage.conflicts import CONFLICT
from dacapo.experiments.datasplits.datasets.arrays._storage.units import NOTES

from ._targets import load_config
from ._tree import walk

#: A kind (config or array) may offer a network check, e.g. a DVID server ping.
REACHABILITY_HOOK = "check_reachable"


def _reach(node: Node) -> str | None:
    """Call a stored array's reachability checks (building it if the walk did not, as for
    DVID, which ``verify()`` does not contact); the problem, if any."""
    try:
        hook = getattr(node.config, REACHABILITY_HOOK, None)
        if callable(hook):
            hook()
        array = node.array if node.array is not None else node.config.create_array()
        hook = getattr(array, REACHABILITY_HOOK, None)
        if callable(hook):
            hook()
    except Exception as err:
        return f"{node.path} ({node.title}): {type(err).__name__}: {err}"
    return None


def problems_of(config: ArrayConfig) -> tuple[list[str], int]:
    """Every problem of the tree, each with its config path, and how many distinct stores were
    reached.

    One build walk (each node built once), then the reachability checks of the stored leaves.
    """
    problems, _, stores = findings_of(config)
    return problems, stores


def _conflicts(tree: Tree) -> list[str]:
    """The conflicting-metadata notes of the stored leaves (each store once)."""
    found: list[str] = []
    for node in tree.nodes:
        if node.is_leaf and node.array is not None:
            notes = node.array.attrs.get(NOTES, [])
            found += [f"{node.path} ({node.title}): {n}" for n in notes if n.startswith(CONFLICT)]
    return list(dict.fromkeys(found))


def findings_of(config: ArrayConfig) -> tuple[list[str], list[str], int]:
    """``problems_of``'s problems and stores, and warnings: metadata that contradicts the
    metadata that was used (the array opens by the rule, see ``_storage/conflicts.py``)."""
    tree = build_tree(config)
    problems = [str(p) for p in tree.problems]
    stores = 0
    reached: list[ArrayConfig] = []  # a store used at several paths is reached once
    for node in tree.nodes:
        if not node.is_leaf or node.problems or node.config in reached:
            continue
        reached.append(node.config)
        found = _reach(node)
        if found is None:
            stores += 1
        else:
            problems.append(found)
    if not problems and tree.array is None:  # a node verify() does not build (DVID)
        try:
            config.create_array()
        except Exception as err:
            problems.append(f"$ ({type(config).__name__} {config.name!r}): {err}")
    return problems, _conflicts(tree), stores


@click.command()
@click.argument("config_file", metavar="CONFIG")
def check(config_file: str) -> None:
    """Check a config: every field and source (verify), every store reachable.

    Prints each problem with its config path ($.source_array_config...); exits with 1 when
    anything is wrong, 0 when the whole tree opens. Stored metadata that contradicts the
    metadata used (e.g. a dataset's own voxel size against its group's OME-NGFF) is a
    warning naming the rule that won.
    """
    config = load_config(config_file)
    problems, warnings, stores = findings_of(config)
    nodes = sum(1 for _ in walk(config))
    for warning in warnings:
        click.echo(f"⚠ {warning}")
    if problems:
        for problem in problems:
            click.echo(f"✗ {problem}")
        click.echo(f"{config_file}: {len(problems)} problem(s) in {nodes} array config(s)")
        raise click.exceptions.Exit(1)
    warned = f", {len(warnings)} warning(s)" if warnings else ""
    click.echo(
        f"✓ {config_file}: {nodes} array config(s) verified, {stores} store(s) reachable{warned}"
    )
