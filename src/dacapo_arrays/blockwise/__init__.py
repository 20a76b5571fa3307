"""The blockwise writer: any array tree into a zarr / N5 dataset, block by block, on daisy.

Usage (``config`` any ArrayConfig)::

    from dacapo_arrays.blockwise import write
    write(config, ArrayIdentifier("out.zarr", "mito"), pyramid_levels=2)

See ``docs/writing.md`` for resuming, failures and workers on other machines.
"""

from .guard import OutputIsSourceError
from .prepare import OutputExistsError
from .results import (
    BlockFailure,
    BlockwiseWriteError,
    LevelResult,
    WorkersFailedError,
    WriteResult,
)
from .roi import ROIStringError, parse_roi
from .writer import write

__all__ = [
    "BlockFailure",
    "BlockwiseWriteError",
    "LevelResult",
    "OutputExistsError",
    "OutputIsSourceError",
    "ROIStringError",
    "WorkersFailedError",
    "WriteResult",
    "parse_roi",
    "write",
]
