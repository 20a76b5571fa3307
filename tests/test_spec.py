"""The contract: every class of ``spec/arrays-api.rst`` imports from its documented places."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

PACKAGE = "dacapo.experiments.datasplits.datasets.arrays"

#: class name -> the submodule the spec documents it in (from the spec's submodule list).
SPEC_CLASSES = {
    "Array": "array",
    "ArrayConfig": "array_config",
    "DummyArray": "dummy_array",
    "DummyArrayConfig": "dummy_array_config",
    "ZarrArray": "zarr_array",
    "ZarrArrayConfig": "zarr_array_config",
    "BinarizeArray": "binarize_array",
    "BinarizeArrayConfig": "binarize_array_config",
    "ResampledArray": "resampled_array",
    "ResampledArrayConfig": "resampled_array_config",
    "IntensitiesArray": "intensity_array",
    "IntensitiesArrayConfig": "intensity_array_config",
    "MissingAnnotationsMask": "missing_annotations_mask",
    "MissingAnnotationsMaskConfig": "missing_annotations_mask_config",
    "OnesArray": "ones_array",
    "OnesArrayConfig": "ones_array_config",
    "ConcatArray": "concat_array",
    "ConcatArrayConfig": "concat_array_config",
    "LogicalOrArray": "logical_or_array",
    "LogicalOrArrayConfig": "logical_or_array_config",
    "CropArray": "crop_array",
    "CropArrayConfig": "crop_array_config",
    "MergeInstancesArray": "merge_instances_array",
    "MergeInstancesArrayConfig": "merge_instances_array_config",
    "DVIDArray": "dvid_array",
    "DVIDArrayConfig": "dvid_array_config",
    "SumArray": "sum_array",
    "SumArrayConfig": "sum_array_config",
    "NumpyArray": "numpy_array",
    "ConstantArray": "constant_array",
    "ConstantArrayConfig": "constant_array_config",
    "TiffArray": "tiff_array",
    "TiffArrayConfig": "tiff_array_config",
}
SPEC_FILE = Path(__file__).parents[2] / "shared" / "spec" / "arrays-api.rst"


@pytest.mark.parametrize(("name", "module"), SPEC_CLASSES.items())
def test_spec_class_imports_from_package_and_module(name: str, module: str) -> None:
    package = importlib.import_module(PACKAGE)
    submodule = importlib.import_module(f"{PACKAGE}.{module}")
    assert getattr(package, name) is getattr(submodule, name)


@pytest.mark.parametrize(("name", "module"), SPEC_CLASSES.items())
def test_arrays_and_configs_share_the_bases(name: str, module: str) -> None:
    from dacapo.experiments.datasplits.datasets.arrays import Array, ArrayConfig

    cls = getattr(importlib.import_module(PACKAGE), name)
    assert issubclass(cls, ArrayConfig if name.endswith("Config") else Array)
    if name.endswith("Config") and name != "ArrayConfig":
        assert issubclass(cls.array_type, Array)


@pytest.mark.skipif(not SPEC_FILE.exists(), reason="the shared spec is not beside this clone")
def test_table_matches_the_spec_file() -> None:
    text = SPEC_FILE.read_text()
    documented = set(re.findall(rf"^   {re.escape(PACKAGE)}\.(\w+)$", text, re.MULTILINE))
    modules = set(re.findall(r"arrays/(\w+)/index$", text, re.MULTILINE))
    assert documented <= set(SPEC_CLASSES)
    assert modules <= set(SPEC_CLASSES.values())
