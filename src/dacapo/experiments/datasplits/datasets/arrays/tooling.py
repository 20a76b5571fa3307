"""The model's public names for tools built on the arrays.

dacapo-arrays' own writer, viewer, CLI and sampler import the model only through the
package itself and this module, and so can any other tool. Names here are kept stable;
modules whose names start with an underscore are the model's own and may change.
"""

from ._build import Node, Tree, build_tree
from ._fields import resolve_types
from ._files import FORMATS, read_document
from ._geometry import check_request, to_coordinate
from ._limits import check_blocks
from ._reads import gather, shared_reads, then
from ._storage.conflicts import CONFLICT
from ._storage.create import write_attributes
from ._storage.formats import N5, ZARR3, Format, classify, probe_keys
from ._storage.kvstore import Container, Document
from ._storage.layout import default_chunk_shape
from ._storage.per_process import PerProcess, without_handles
from ._storage.units import NM, NOTES, stored_nanometres, world_of, world_unit

__all__ = [
    "CONFLICT",
    "FORMATS",
    "N5",
    "NM",
    "NOTES",
    "ZARR3",
    "Container",
    "Document",
    "Format",
    "Node",
    "PerProcess",
    "Tree",
    "build_tree",
    "check_blocks",
    "check_request",
    "classify",
    "default_chunk_shape",
    "gather",
    "probe_keys",
    "read_document",
    "resolve_types",
    "shared_reads",
    "stored_nanometres",
    "then",
    "to_coordinate",
    "without_handles",
    "world_of",
    "world_unit",
    "write_attributes",
]
