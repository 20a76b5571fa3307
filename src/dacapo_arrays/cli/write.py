"""``dacapo-arrays write CONFIG OUTPUT``: the blockwise writer, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from dacapo_arrays.blockwise import (
    BlockwiseWriteError,
    WorkersFailedError,
    WriteResult,
    parse_roi,
    write,
)
from dacapo_arrays.blockwise.guard import OutputFilledError

from ._targets import STORAGE_FORMATS, load_config, output_identifier


def _shape(text: str | None, what: str = "block shape") -> tuple[int, ...] | None:
    if text is None:
        return None
    try:
        shape = tuple(int(v) for v in text.replace("x", ",").split(","))
    except ValueError:
        shape = ()
    if not shape or any(s <= 0 for s in shape):
        raise click.BadParameter(f"{text!r} is not a {what}; write voxels per axis, e.g. 64,64,64")
    return shape


def _summary(result: WriteResult) -> None:
    for level in result.levels:
        skipped = f", {level.skipped} already written" if level.skipped else ""
        click.echo(
            f"wrote {result.container}/{level.dataset}: {level.written} block(s) in "
            f"{level.seconds:.1f} s{skipped} ({level.blocks} in all)"
        )
    click.echo(f"run folder (block tracking, worker logs): {result.run_dir}")


@click.command()
@click.argument("config_file", metavar="CONFIG")
@click.argument("output", metavar="OUTPUT")
@click.option("--dataset", help="Dataset in OUTPUT (default: the config's name).")
@click.option(
    "--roi",
    "roi_text",
    metavar="ROI",
    help="Region in world units (nm unless the config sets world_unit), e.g. 0:800,0:800,0:800.",
)
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes (default: CPUs).")
@click.option(
    "--pyramid",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Also write N coarser levels (2x each); OUTPUT/DATASET becomes s0..sN.",
)
@click.option("--block-shape", metavar="Z,Y,X", help="Block (unit of work) shape in voxels.")
@click.option(
    "--chunk-shape",
    metavar="Z,Y,X",
    help="Chunk shape in voxels (default: the block shape if given, else ~2 MB).",
)
@click.option(
    "--shards",
    metavar="Z,Y,X",
    help="zarr v3 shard shape in voxels, whole chunks (one file per shard; blocks are "
    "whole shards). Implies --format zarr3.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(STORAGE_FORMATS),
    help="Storage format (default: the container's; n5 for *.n5, else zarr2).",
)
@click.option(
    "--downsample",
    type=click.Choice(["auto", "mean", "mode"]),
    default="auto",
    show_default=True,
    help="Pyramid levels: mode (labels) or mean (intensities); auto asks is_labels.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    help="Attempts after a block's first failure.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    metavar="SECONDS",
    help="Give up on a block (and its worker) after this long (daisy's default: 600).",
)
@click.option(
    "--launcher",
    metavar="CMD",
    help="Start each worker with CMD, e.g. 'srun -N1 -c2' or 'bsub -K -n 2'.",
)
@click.option("--host", help="Address workers connect to (default 127.0.0.1; 'auto' detects).")
@click.option(
    "--run-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Block tracking folder (default: OUTPUT.blocks/DATASET).",
)
@click.option(
    "--in-process/--no-in-process",
    "in_process",
    default=None,
    help="Run the blocks in this process (threads) or on worker processes (default: in "
    "process for small local writes, up to 512³ voxels).",
)
@click.option("--overwrite", is_flag=True, help="Replace an existing output.")
@click.option("--progress/--no-progress", default=True, show_default=True)
def write_command(config_file: str, output: str, **options: Any) -> None:
    """Write the array CONFIG describes into OUTPUT (a .zarr or .n5 container), block by block.

    OUTPUT/DATASET becomes a multiscale group: DATASET/s0, and with --pyramid N also s1..sN.

    An interrupted write resumes when run again: blocks already written are skipped. Other
    machines can join with `dacapo-arrays worker RUN_DIR` (see docs/writing.md).
    """
    fmt = options.pop("fmt")
    config = load_config(config_file)
    roi_text = options.pop("roi_text")
    target = output_identifier(output, options.pop("dataset"), config.name, fmt)
    try:
        result = write(
            config,
            target,
            roi=None if roi_text is None else parse_roi(roi_text),
            block_shape=_shape(options.pop("block_shape")),
            chunk_shape=_shape(options.pop("chunk_shape"), "chunk shape"),
            shard_shape=_shape(options.pop("shards"), "shard shape"),
            pyramid_levels=options.pop("pyramid"),
            max_retries=options.pop("retries"),
            **options,
        )
    except OutputFilledError as err:  # the write ran and filled the disk: exit 1, like failures
        if err.result is not None:
            _summary(err.result)
        click.echo(f"error: {err}", err=True)
        click.echo("hint: free space on the output's file system, then run the same command "
                   "again; blocks already written are kept", err=True)  # fmt: skip
        raise click.exceptions.Exit(1) from err
    except BlockwiseWriteError as err:
        _summary(err.result)
        click.echo(f"error: {err}", err=True)
        click.echo(
            f"hint: run the same command again to retry only the failed blocks; worker logs "
            f"are in {err.result.run_dir / 'logs'}",
            err=True,
        )
        raise click.exceptions.Exit(1) from err
    except WorkersFailedError as err:
        click.echo(f"error: {err}", err=True)
        click.echo(
            "hint: check that a worker can start where the launcher runs it (same Python "
            "environment, the output reachable); re-running resumes",
            err=True,
        )
        raise click.exceptions.Exit(1) from err
    _summary(result)
