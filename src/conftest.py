"""Doctest collection of ``src/``: leave out modules whose optional extra is not installed,
and the gunpowder node (gunpowder's import warns about funlib's pydantic v1-style config,
and warnings are errors here; the node is tested through docs/training.md)."""

import importlib.util

collect_ignore = ["dacapo_arrays/sampling/gunpowder.py"]
if importlib.util.find_spec("torch") is None:  # torch is never in the default dev sync
    collect_ignore.append("dacapo_arrays/sampling/torch.py")
