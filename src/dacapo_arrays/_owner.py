"""Which ``dacapo`` is importable: dacapo-ml installs a package of the same name.

Whichever of the two was installed last owns ``dacapo.experiments.datasplits.datasets
.arrays``; with dacapo-ml's there, nothing here would work, so importing ``dacapo_arrays``
says so (with the fix) instead of failing later on a missing name.
"""

from __future__ import annotations

import importlib
import os
import sys

MODEL = "dacapo.experiments.datasplits.datasets.arrays"

FIX = (
    "install dacapo-arrays in its own virtual environment, or run `pip uninstall dacapo-ml` "
    "and then `pip install --force-reinstall dacapo-arrays` in this one"
)


def owner_problem() -> str | None:
    """``None`` when the importable arrays package is ours, else what is wrong and the fix."""
    try:
        module = importlib.import_module(MODEL)
    except ImportError as err:
        return f"{MODEL} cannot be imported ({err}); dacapo-ml may have replaced it: {FIX}"
    if getattr(module, "__dacapo_arrays__", False):
        return None
    where = getattr(module, "__file__", None) or "an unknown place"
    return (
        f"the importable {MODEL} ({where}) is not dacapo-arrays' but another package's, "
        f"most likely dacapo-ml's (both install the `dacapo` package): {FIX}"
    )


def check_owner() -> None:
    """Raise ``ImportError`` when :func:`owner_problem` finds one; under the
    ``dacapo-arrays`` command, print ``error: ...`` and exit 1 instead (as ``check`` would)."""
    problem = owner_problem()
    if problem is None:
        return
    if os.path.basename(sys.argv[0]) == "dacapo-arrays":
        print(f"error: {problem}", file=sys.stderr)
        raise SystemExit(1)
    raise ImportError(problem)
