"""Conformance cases, one module per array kind; each module defines ``CASES``."""
