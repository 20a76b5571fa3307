"""``dacapo-arrays info CONFIG|PATH``: the array tree, node by node, with units."""

from __future__ import annotations

import click

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig
from dacapo.experiments.datasplits.datasets.arrays.tooling import build_tree

from ._targets import (
    configs_for_path,
    is_config_file,
    load_config,
    path_advice,
    world_unit_option,
)
from ._tree import render


def show_tree(config: ArrayConfig, *, from_path: bool = False) -> BaseException | None:
    """Print every node of ``config``'s tree; return the first error met (or None).

    One build walk: each node is built once, after its sources (``_build.build_tree``).
    ``from_path``: the config came from a PATH argument, so advice to set a config field
    that has an option (``world_unit``) names the option (``--world-unit``) instead.
    """
    tree = build_tree(config)
    for node in tree.nodes:
        error = "; ".join(str(p.error) for p in node.problems) or None
        if error is not None and from_path:
            error = path_advice(error)
        for line in render(node, node.array, error):
            click.echo(line)
    return tree.problems[0].error if tree.problems else None


@click.command()
@click.argument("target", metavar="CONFIG|PATH")
@world_unit_option
def info(target: str, world_unit: str | None) -> None:
    """Show an array tree: kind, axes, voxel size, ROI, shape, dtype, channels, chunks.

    CONFIG is a config file (.yaml, .toml, .json); PATH a zarr / N5 container, group or
    dataset (e.g. data.zarr/raw/s0): a group shows every array below it. --world-unit
    opens a PATH's arrays in a finer world unit (fractional nm voxel sizes).
    """
    from_path = not is_config_file(target)
    if not from_path and world_unit:
        raise click.UsageError(
            f"--world-unit applies to zarr / N5 PATHs; {target!r} is a config file: set "
            f"world_unit: {world_unit!r} on its stored configs instead"
        )
    configs = configs_for_path(target, world_unit) if from_path else [load_config(target)]
    first: BaseException | None = None
    for index, config in enumerate(configs):
        if index:
            click.echo()
        error = show_tree(config, from_path=from_path)
        first = first or error
    if first is not None:
        if from_path and path_advice(str(first)) != str(first):
            first.args = (path_advice(str(first)),)
        raise first  # reported once more, as the command's error, after the tree
