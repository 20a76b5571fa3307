"""``dacapo-arrays demo [DIR]``: a sample volume, example configs, and every command on them."""

from __future__ import annotations

import importlib
import time
from pathlib import Path

import click

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, ArrayIdentifier
from dacapo_arrays.blockwise import write
from dacapo_arrays.bytecode import compile_loaded_modules

from . import COMMANDS
from .check import problems_of
from .info import show_tree

#: Config files the demo writes out, with their number of pyramid levels.
WRITES = {"organelles.yaml": 1, "raw_16nm.yaml": 0}


def _step(text: str) -> None:
    click.echo()
    click.secho(f"== {text}", bold=True)


def _check_all(configs: dict[str, Path]) -> None:
    for path in configs.values():
        problems, stores = problems_of(ArrayConfig.from_file(path))
        if problems:
            raise RuntimeError(f"{path.name} failed its check:\n" + "\n".join(problems))
        click.echo(f"✓ {path.name}: verified, {stores} store(s) reachable")


def _write_all(configs: dict[str, Path], output: Path) -> list[str]:
    written = []
    for file_name, levels in WRITES.items():
        config = ArrayConfig.from_file(configs[file_name])
        target = ArrayIdentifier(output, config.name)
        result = write(config, target, pyramid_levels=levels, overwrite=True)
        for level in result.levels:
            written.append(f"{output}/{level.dataset}")
            click.echo(f"wrote {output.name}/{level.dataset} ({level.blocks} blocks)")
    return written


def _next_steps(folder: Path, configs: dict[str, Path], written: list[str]) -> None:
    _step("Made")
    click.echo(f"sample volume   {folder / 'jrc_demo.zarr'} (EM uint8 + organelle labels)")
    click.echo(f"configs         {folder / 'configs'}: {', '.join(configs)}")
    click.echo(f"written         {', '.join(written)}")
    _step("Next, try (prefix with `uv run` inside the project)")
    c = folder / "configs"
    for command in (
        f"dacapo-arrays info {c / 'annotated.yaml'}",
        f"dacapo-arrays info {folder / 'outputs.zarr'}",
        f"dacapo-arrays check {c / 'any_organelle.yaml'}",
        f"dacapo-arrays write {c / 'raw_normalized.yaml'} {folder / 'outputs.zarr'} --pyramid 2",
        f"dacapo-arrays view {c / 'raw.yaml'} {c / 'organelles.yaml'} {c / 'raw_16nm.yaml'}",
    ):
        click.echo(f"  {command}")


@click.command()
@click.argument("folder", metavar="[DIR]", required=False, default="demo",
                type=click.Path(file_okay=False, path_type=Path))  # fmt: skip
def demo(folder: Path) -> None:
    """Make a small CellMap-style sample in DIR (default ./demo), write example
    configs for it, check and describe them, and write a binarized and a resampled volume."""
    from dacapo_arrays.demo import make_sample, write_configs  # scipy: only when needed

    start = time.monotonic()
    folder = folder.absolute()
    _step(f"Sample volume in {folder}")
    sample = make_sample(folder)
    click.echo(f"EM       {sample.em.file_name}/{sample.em.dataset}")
    click.echo(f"labels   {sample.labels.file_name}/{sample.labels.dataset}")
    configs = write_configs(sample, folder / "configs")
    _step("check: every config verified and its stores reached")
    _check_all(configs)
    for file_name in WRITES:
        _step(f"info {file_name}")
        error = show_tree(ArrayConfig.from_file(configs[file_name]))
        if error is not None:
            raise error
    _step("write: blockwise (small writes in this process, large ones on daisy workers)")
    written = _write_all(configs, folder / "outputs.zarr")
    _next_steps(folder, configs, written)
    for module, _ in COMMANDS.values():  # imported by the command that runs: compile all
        importlib.import_module(module)
    compiled = compile_loaded_modules()  # later processes start without compiling them
    if compiled:
        click.echo(f"\ncompiled the bytecode of {compiled} modules for faster start-ups")
    click.echo(f"\ndone in {time.monotonic() - start:.0f} s")
