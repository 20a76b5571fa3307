"""The demo sample: a small CellMap-style volume and example configs (``dacapo-arrays demo``)."""

from .sample import Sample, example_configs, make_sample, write_configs

__all__ = ["Sample", "example_configs", "make_sample", "write_configs"]
