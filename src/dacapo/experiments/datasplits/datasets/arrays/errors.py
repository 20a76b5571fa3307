"""The few exception classes of the arrays model.

Each also inherits a builtin, so ``except ValueError`` (or ``FileNotFoundError``,
``PermissionError``) keeps working for callers that do not know our classes.
Messages say what failed, show the offending value, state the rule and give the fix.
"""

from __future__ import annotations


class ArrayError(Exception):
    """Base class of every error raised by the arrays model."""


class GeometryError(ArrayError, ValueError):
    """A coordinate or ROI cannot be represented exactly in whole world units."""


class ROIError(GeometryError):
    """A requested ROI is not voxel-aligned, has the wrong dimensions or lies outside an array."""


class ConfigError(ArrayError, ValueError):
    """An array config (object, dict or file) is malformed; the message lists every problem."""


class ConfigFileNotFoundError(ConfigError, FileNotFoundError):
    """A config file does not exist."""


class MetadataError(ArrayError, ValueError):
    """Stored metadata cannot be turned into a voxel size, offset or axes without loss."""


class ContainerNotFoundError(ArrayError, FileNotFoundError):
    """A container (zarr / N5 / TIFF file / DVID instance) does not exist."""


class DatasetNotFoundError(ArrayError, FileNotFoundError):
    """A container exists but the dataset inside it does not."""


class ReadOnlyError(ArrayError, PermissionError):
    """A write was attempted on an array that cannot be written."""


class VirtualArrayError(ArrayError, ValueError):
    """An array computed on demand has no stored ``data`` to hand out."""


class IncompatibleDatasetError(ArrayError, ValueError):
    """An existing dataset does not match the one a caller asked to create."""


class ValueRangeError(ArrayError, OverflowError, ValueError):
    """Values do not fit where they must go: a sum beyond its dtype, an id beyond a maximum."""


class NotViewableError(ArrayError, TypeError):
    """An array whose dtype or shape neuroglancer cannot show."""


class StorageError(ArrayError, OSError):
    """Reading or writing stored bytes failed: I/O, network, permissions or a corrupt chunk."""
