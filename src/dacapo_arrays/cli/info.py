"""``dacapo-arrays info CONFIG|PATH``: the array tree, node by node, with units."""

from __future__ import annotations

import click

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig
from dacapo.experiments.datasplits.datasets.arrays.tooling import build_tree

from ._targets import configs_for_path, is_config_file, load_config
from ._tree import render


def show_tree(config: ArrayConfig) -> BaseException | None:
    """Print every node of ``config``'s tree; return the first error met (or None).

    One build walk: each node is built once, after its sources (``_build.build_tree``).
    """
    tree = build_tree(config)
    for node in tree.nodes:
        error = "; ".join(str(p.error) for p in node.problems) or None
        for line in render(node, node.array, error):
            click.echo(line)
    return tree.problems[0].error if tree.problems else None


@click.command()
@click.argument("target", metavar="CONFIG|PATH")
def info(target: str) -> None:
    """Show an array tree: kind, axes, voxel size, ROI, shape, dtype, channels, chunks.

    CONFIG is a config file (.yaml, .toml, .json); PATH a zarr / N5 container, group or
    dataset (e.g. data.zarr/raw/s0): a group shows every array below it.
    """
    configs = [load_config(target)] if is_config_file(target) else configs_for_path(target)
    first: BaseException | None = None
    for index, config in enumerate(configs):
        if index:
            click.echo()
        error = show_tree(config)
        first = first or error
    if first is not None:
        raise first  # reported once more, as the command's error, after the tree
