"""The ``dacapo-arrays`` command line: one click group, one module per command.

Errors a user can cause print one line and a hint (exit code 2); ``--debug`` shows the
traceback instead. A new command is one line in :data:`COMMANDS`: its module is imported
only when the command runs (or ``--help`` lists it), so ``write`` never pays for the
viewer's imports, nor ``info`` for the writer's.
"""

from __future__ import annotations

import importlib
from typing import Any

try:
    import click
except ModuleNotFoundError as err:  # installed without the [cli] extra
    from dacapo_arrays._command import MissingExtraError

    raise MissingExtraError("click", __name__) from err

#: Command name -> (module, the click command in it).
COMMANDS = {
    "info": ("dacapo_arrays.cli.info", "info"),
    "check": ("dacapo_arrays.cli.check", "check"),
    "write": ("dacapo_arrays.cli.write", "write_command"),
    "worker": ("dacapo_arrays.cli.worker", "worker"),
    "demo": ("dacapo_arrays.cli.demo", "demo"),
    "view": ("dacapo_arrays.viewer.cli", "view"),
    "sample": ("dacapo_arrays.cli.sample", "sample"),
}


class _Group(click.Group):
    """Imports a command when it is asked for; turns exceptions from commands into a
    message, a hint and an exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module, name = COMMANDS[cmd_name]
            self.add_command(getattr(importlib.import_module(module), name), cmd_name)
        return self.commands.get(cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except BrokenPipeError:
            from ._errors import reader_gone

            ctx.exit(reader_gone())
        except Exception as err:
            if ctx.params.get("debug"):
                raise
            from ._errors import report

            ctx.exit(report(err))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
@click.version_option(package_name="dacapo-arrays")
def main(debug: bool) -> None:
    """Inspect, check, write and view DaCapo arrays (configs, zarr / N5 volumes)."""


__all__ = ["main"]
