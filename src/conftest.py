"""Doctest collection of ``src/``: leave out modules whose optional extra is not installed."""

import importlib.util

collect_ignore = []
if importlib.util.find_spec("torch") is None:  # torch is never in the default dev sync
    collect_ignore.append("dacapo_arrays/sampling/torch.py")
