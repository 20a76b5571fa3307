"""The ``dacapo-arrays`` command's entry point: the CLI, or how to install it.

``pip install dacapo-arrays`` installs the arrays without the command's dependencies (the
``[cli]`` extra); then the command says how to get them instead of a traceback.
"""

from __future__ import annotations

import sys

#: Modules that only the ``[cli]`` extra brings (click, and the writer's and viewer's).
CLI_ONLY = frozenset({"click", "daisy", "tqdm", "neuroglancer"})

INSTALL = "pip install 'dacapo-arrays[cli]'"


def missing_extra(name: str) -> str:
    """What to do when the command runs without the ``[cli]`` extra (``name`` is missing)."""
    return (
        f"the dacapo-arrays command needs the [cli] extra, which is not installed (no module "
        f"{name!r}); install it with `{INSTALL}`"
    )


class MissingExtraError(ModuleNotFoundError):
    """The CLI package cannot be imported: a module of the ``[cli]`` extra is missing.

    Named after the CLI package itself, so ``python -m dacapo_arrays.cli`` prints this
    message on one line instead of a traceback.
    """

    def __init__(self, missing: str, package: str) -> None:
        super().__init__(missing_extra(missing), name=package)
        self.missing = missing


def main() -> None:
    """Run ``dacapo-arrays``; without the ``[cli]`` extra, say how to install it (exit 2)."""
    try:
        from dacapo_arrays.cli import main as cli

        cli(prog_name="dacapo-arrays")  # commands import their modules when asked for
        return
    except MissingExtraError as err:
        name = err.missing
    except ModuleNotFoundError as err:
        name = (err.name or "").partition(".")[0]
        if name not in CLI_ONLY:
            raise
    print(f"error: {missing_extra(name)}", file=sys.stderr)
    sys.exit(2)
