"""The ``dacapo-arrays`` command line: one click group, one module per command.

Errors a user can cause print one line and a hint (exit code 2); ``--debug`` shows the
traceback instead. A new command is one ``main.add_command(...)`` line.
"""

from __future__ import annotations

from typing import Any

try:
    import click
except ModuleNotFoundError as err:  # installed without the [cli] extra
    from dacapo_arrays._command import MissingExtraError

    raise MissingExtraError("click", __name__) from err

from dacapo_arrays.viewer.cli import view

from ._errors import reader_gone, report
from .check import check
from .demo import demo
from .info import info
from .sample import sample
from .worker import worker
from .write import write_command


class _Group(click.Group):
    """Turns exceptions from commands into a message, a hint and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            ctx.exit(reader_gone())
        except Exception as err:
            if ctx.params.get("debug"):
                raise
            ctx.exit(report(err))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
@click.version_option(package_name="dacapo-arrays")
def main(debug: bool) -> None:
    """Inspect, check, write and view DaCapo arrays (configs, zarr / N5 volumes)."""


main.add_command(info)
main.add_command(check)
main.add_command(write_command, name="write")
main.add_command(worker)
main.add_command(demo)
main.add_command(view)
main.add_command(sample)

__all__ = ["main"]
