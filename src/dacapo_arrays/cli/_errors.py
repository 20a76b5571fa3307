"""Errors a user can cause become one clear message and a hint, exit code 2.

Anything else is a bug: one line saying so, exit code 1. ``--debug`` shows the traceback of
either instead.
"""

from __future__ import annotations

import os
import re
import sys

import click

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayError,
    ConfigError,
    ConfigFileNotFoundError,
    ContainerNotFoundError,
    DatasetNotFoundError,
    GeometryError,
    IncompatibleDatasetError,
    MetadataError,
    RequestTooLargeError,
)
from dacapo_arrays.blockwise import OutputIsSourceError, ROIStringError
from dacapo_arrays.blockwise.guard import OutputPathError, OutputSpaceError

USER_ERROR = 2
BUG = 1

#: (exception class, hint), most specific first.
HINTS: tuple[tuple[type[BaseException], str], ...] = (
    (ConfigFileNotFoundError, "`dacapo-arrays demo` writes example configs to start from"),
    (
        ConfigError,
        "each config names its kind in __type__ (e.g. ZarrArrayConfig) and sets that kind's "
        "fields; `dacapo-arrays demo` writes examples",
    ),
    (OutputIsSourceError, "write to a new container or dataset; nothing was changed"),
    (OutputSpaceError, "free space on the output's file system, then run the write again"),
    (OutputPathError, "pass an OUTPUT path made of folders (or nothing yet)"),
    (ROIStringError, "write the ROI as begin:end per spatial axis in nm, e.g. 0:800,0:800,0:800"),
    (GeometryError, "`dacapo-arrays info CONFIG` shows the array's ROI and voxel size"),
    (ContainerNotFoundError, "`dacapo-arrays info CONTAINER` lists the datasets it holds"),
    (DatasetNotFoundError, "`dacapo-arrays info CONTAINER` lists the datasets it holds"),
    (IncompatibleDatasetError, "pass --overwrite to replace it, or --dataset to write elsewhere"),
    (MetadataError, "fix the stored metadata, or set the voxel size and axes in the config"),
    (RequestTooLargeError, "use a smaller ROI, or raise the limit named above"),
    (FileNotFoundError, "check the path"),
    (PermissionError, "check the permissions of the file or folder"),
    (ArrayError, "re-run with --debug to see where it happened"),
)


def _hint(error: BaseException) -> str | None:
    for kind, hint in HINTS:
        if isinstance(error, kind):
            return hint
    return None


def is_user_error(error: BaseException) -> bool:
    """Errors caused by what the user asked for (paths, configs, ROIs), not by our code."""
    return _hint(error) is not None


#: The Python advice in the library's messages, and what to do on the command line instead.
CLI_ADVICE: tuple[tuple[str, str], ...] = (
    (r"(?:pass |replace it with )?overwrite=True", "pass --overwrite"),
    (r"\(not even with pass --overwrite\)", "(not even with --overwrite)"),
    (
        r"intersect it with the array's ROI first \(roi\.intersect\(array\.roi\)\)",
        "give a --roi inside it (`dacapo-arrays info CONFIG` shows the array's ROI)",
    ),
    (r"snap it with roi\.snap_to_grid\((\([^)]*\))\)", r"give a --roi in multiples of \1 nm"),
    (r"in Python downsample='mode' or 'mean', ", ""),
)


def cli_advice(message: str) -> str:
    """``message`` with its Python advice (``overwrite=True``) as command-line advice.

    >>> cli_advice("exists; replace it with overwrite=True, or write to another dataset")
    'exists; pass --overwrite, or write to another dataset'
    """
    for pattern, replacement in CLI_ADVICE:
        message = re.sub(pattern, replacement, message)
    return message


def reader_gone() -> int:
    """The reader of our output went away (``info ... | head``): stop quietly, like ``cat``.

    Python would report the broken pipe again while flushing stdout at exit; point stdout at
    ``/dev/null`` first.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 0


def report(error: BaseException) -> int:
    """Print ``error`` for a user and return the exit code."""
    message = cli_advice(str(error) or type(error).__name__)
    if is_user_error(error):
        click.echo(f"error: {message}", err=True)
        click.echo(f"hint: {_hint(error)}", err=True)
        return USER_ERROR
    click.echo(f"internal error: {type(error).__name__}: {message}", err=True)
    click.echo("hint: this is a bug; re-run with --debug and report the traceback", err=True)
    return BUG
