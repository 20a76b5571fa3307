"""The arrays of DaCapo: ROI-addressed views of large volumes, declared as configs.

The imports below are the registry: every ``ArrayConfig`` subclass imported here is a kind
the converter (un)structures and the conformance suite tests.
"""

#: Marks this package as dacapo-arrays' (dacapo-ml installs one of the same name).
__dacapo_arrays__ = True

from ._capabilities import HasChunks, HasLevels
from ._geometry import format_coordinate, format_roi
from ._limits import RequestTooLargeError
from .array import Array
from .array_config import ArrayConfig, ArrayIdentifier, LocalArrayIdentifier
from .binarize_array import BinarizeArray
from .binarize_array_config import BinarizeArrayConfig
from .concat_array import ConcatArray
from .concat_array_config import ConcatArrayConfig
from .constant_array import ConstantArray
from .constant_array_config import ConstantArrayConfig
from .crop_array import CropArray
from .crop_array_config import CropArrayConfig
from .dummy_array import DummyArray
from .dummy_array_config import DummyArrayConfig
from .dvid_array import DVIDArray
from .dvid_array_config import DVIDArrayConfig
from .errors import (
    ArrayError,
    ConfigError,
    ConfigFileNotFoundError,
    ContainerNotFoundError,
    DatasetNotFoundError,
    GeometryError,
    IncompatibleDatasetError,
    MetadataError,
    NotViewableError,
    ReadOnlyError,
    ROIError,
    StorageError,
    ValueRangeError,
    VirtualArrayError,
)
from .intensity_array import IntensitiesArray
from .intensity_array_config import IntensitiesArrayConfig
from .logical_or_array import LogicalOrArray
from .logical_or_array_config import LogicalOrArrayConfig
from .merge_instances_array import MergeInstancesArray
from .merge_instances_array_config import MergeInstancesArrayConfig
from .missing_annotations_mask import MissingAnnotationsMask
from .missing_annotations_mask_config import MissingAnnotationsMaskConfig
from .numpy_array import NumpyArray
from .ones_array import OnesArray
from .ones_array_config import OnesArrayConfig
from .resampled_array import ResampledArray
from .resampled_array_config import ResampledArrayConfig
from .sum_array import SumArray
from .sum_array_config import SumArrayConfig
from .tiff_array import TiffArray
from .tiff_array_config import TiffArrayConfig
from .zarr_array import ZarrArray
from .zarr_array_config import ZarrArrayConfig

__all__ = [
    "Array",
    "ArrayConfig",
    "ArrayError",
    "ArrayIdentifier",
    "BinarizeArray",
    "BinarizeArrayConfig",
    "ConcatArray",
    "ConcatArrayConfig",
    "ConfigError",
    "ConfigFileNotFoundError",
    "ConstantArray",
    "ConstantArrayConfig",
    "ContainerNotFoundError",
    "CropArray",
    "CropArrayConfig",
    "DVIDArray",
    "DVIDArrayConfig",
    "DatasetNotFoundError",
    "DummyArray",
    "DummyArrayConfig",
    "GeometryError",
    "HasChunks",
    "HasLevels",
    "IncompatibleDatasetError",
    "IntensitiesArray",
    "IntensitiesArrayConfig",
    "LocalArrayIdentifier",
    "LogicalOrArray",
    "LogicalOrArrayConfig",
    "MergeInstancesArray",
    "MergeInstancesArrayConfig",
    "MetadataError",
    "MissingAnnotationsMask",
    "MissingAnnotationsMaskConfig",
    "NotViewableError",
    "NumpyArray",
    "OnesArray",
    "OnesArrayConfig",
    "ROIError",
    "ReadOnlyError",
    "RequestTooLargeError",
    "ResampledArray",
    "ResampledArrayConfig",
    "StorageError",
    "SumArray",
    "SumArrayConfig",
    "TiffArray",
    "TiffArrayConfig",
    "ValueRangeError",
    "VirtualArrayError",
    "ZarrArray",
    "ZarrArrayConfig",
    "format_coordinate",
    "format_roi",
]
