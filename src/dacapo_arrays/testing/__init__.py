"""The testing kit: hypothesis strategies and the conformance cases every array kind passes.

A kind registers its cases in a module of :mod:`dacapo_arrays.testing.cases` (one module per
kind, found automatically); ``tests/test_conformance.py`` runs the same suite on each case.
"""

from .case import Case, all_cases

__all__ = ["Case", "all_cases"]
