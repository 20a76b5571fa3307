"""``dacapo-arrays worker RUN_DIR``: one more worker for a running write, here or elsewhere."""

from __future__ import annotations

import click
from click.core import ParameterSource

from dacapo_arrays.blockwise.rundir import RunDir
from dacapo_arrays.blockwise.worker import join, run_launched_worker


@click.command()
@click.argument("run_dir", metavar="RUN_DIR", type=click.Path(file_okay=False))
@click.option(
    "--wait",
    type=click.FloatRange(min=0),
    default=120.0,
    show_default=True,
    help="Seconds to wait for the write (or its next level) to start; given explicitly, "
    "also for a run folder that does not exist yet.",
)
@click.option("--launched", is_flag=True, hidden=True,
              help="Started by `write --launcher`: serve the level in DAISY_CONTEXT.")  # fmt: skip
def worker(run_dir: str, wait: float, launched: bool) -> None:
    """Join the write whose run folder is RUN_DIR (OUTPUT.blocks/DATASET by default).

    Start it on any machine that sees RUN_DIR and the output, before or while
    `dacapo-arrays write` runs (e.g. from bsub or srun); it writes blocks until the write
    ends. Started by `write --launcher`, it serves the one level in $DAISY_CONTEXT.
    """
    folder = RunDir(run_dir)
    if launched:
        written = run_launched_worker(folder)
    else:
        explicit = click.get_current_context().get_parameter_source("wait")
        if not folder.path.is_dir() and (wait == 0 or explicit is ParameterSource.DEFAULT):
            raise FileNotFoundError(
                f"run folder {run_dir!r} does not exist; start `dacapo-arrays write` first "
                f"(it prints the folder), or pass --wait SECONDS to wait for it to appear"
            )
        written = join(folder, wait=wait)
        if folder.read_record() is None:
            raise FileNotFoundError(
                f"no write started in run folder {run_dir!r} within {wait:g} s; start "
                f"`dacapo-arrays write` first, or pass the folder it prints"
            )
    click.echo(f"worker: wrote {written} block(s)")
