"""The demo's sample: a CellMap-style zarr (EM, a labelled crop) and config files using it.

Layout, as in CellMap's published data::

    jrc_demo.zarr/recon-1/em/fibsem-uint8/s0                    EM, uint8, 8 nm
    jrc_demo.zarr/recon-1/labels/groundtruth/crop1/all/s0       organelle ids, uint64
    jrc_demo.zarr/recon-1/labels/groundtruth/crop1/mito/s0      mito, uint8 (0 absent, 1 present)

Annotation metadata: the crop group carries ``cellmap.annotation`` (name, class names...),
each class array ``cellmap.annotation`` (class name, encoding, counts), and ``all`` also the
legacy ``labels`` list that DaCapo's missing-annotations mask reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import attrs
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayIdentifier,
    BinarizeArrayConfig,
    CropArrayConfig,
    IntensitiesArrayConfig,
    LogicalOrArrayConfig,
    MissingAnnotationsMaskConfig,
    ResampledArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)

from .volume import CLASSES, em_like, organelle_labels

VOXEL = Coordinate(8, 8, 8)
SHAPE = (96, 128, 128)
#: The labelled crop, in voxels of the EM volume: begin and shape.
CROP = ((16, 16, 16), (64, 96, 96))
EM = "recon-1/em/fibsem-uint8/s0"
CROP_GROUP = "recon-1/labels/groundtruth/crop1"
GROUPINGS = [("mito", [3, 4]), ("er", [16, 17]), ("nucleus", [20, 28])]


@attrs.frozen
class Sample:
    container: Path
    em: ZarrArrayConfig
    labels: ZarrArrayConfig
    mito: ZarrArrayConfig
    crop_roi: Roi


def _store(container: Path, dataset: str, roi: Roi, data: np.ndarray, name: str) -> ZarrArray:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(container, dataset),
        ["z", "y", "x"],
        roi,
        None,
        VOXEL,
        data.dtype,
        write_size=VOXEL * 64,
        name=name,
        overwrite=True,
    )
    array[roi] = data
    return array


def _merge_group_attrs(container: Path, group: str, attributes: dict[str, Any]) -> None:
    path = container / group / ".zattrs"
    current = json.loads(path.read_text()) if path.is_file() else {}
    path.write_text(json.dumps({**current, **attributes}, indent=2))


def _annotation(class_name: str, counts: dict[str, int]) -> dict[str, Any]:
    encoding = {"absent": 0, "present": 1, "unknown": 255}
    return {
        "cellmap": {
            "annotation": {
                "class_name": class_name,
                "annotation_type": {"type": "semantic_segmentation", "encoding": encoding},
                "complement_counts": counts,
            }
        }
    }


def _label_list(labels: np.ndarray) -> list[dict[str, Any]]:
    ids, counts = np.unique(labels, return_counts=True)
    present = dict(zip(ids.tolist(), counts.tolist(), strict=True))
    return [
        {
            "value": class_id,
            "name": {"long": long, "short": short},
            "annotationState": {"present": class_id in present, "annotated": "dense"},
            "count": present.get(class_id, 0),
        }
        for class_id, (short, long, _) in CLASSES.items()
    ]


def make_sample(folder: Path) -> Sample:
    """Write the sample volume below ``folder`` (replacing an earlier one)."""
    container = folder / "jrc_demo.zarr"
    labels = organelle_labels(SHAPE)
    em_roi = Roi((0, 0, 0), VOXEL * Coordinate(SHAPE))
    _store(container, EM, em_roi, em_like(labels), "em")
    begin, shape = CROP
    crop_roi = Roi(VOXEL * Coordinate(begin), VOXEL * Coordinate(shape))
    cut = tuple(slice(b, b + s) for b, s in zip(begin, shape, strict=True))
    crop = labels[cut]
    everything = _store(container, f"{CROP_GROUP}/all/s0", crop_roi, crop, "all")
    everything.add_metadata({"labels": _label_list(crop)})
    mito = np.isin(crop, [3, 4]).astype(np.uint8)
    mito_array = _store(container, f"{CROP_GROUP}/mito/s0", crop_roi, mito, "mito")
    mito_array.add_metadata(_annotation("mito", {"absent": int((mito == 0).sum())}))
    class_names = [short for short, _, _ in CLASSES.values()]
    crop_meta = {"version": "0.1.1", "name": "crop1", "class_names": class_names}
    crop_meta |= {"description": "synthetic demo crop", "created_by": ["dacapo-arrays demo"]}
    _merge_group_attrs(container, CROP_GROUP, {"cellmap": {"annotation": crop_meta}})

    def config(name: str, dataset: str) -> ZarrArrayConfig:
        return ZarrArrayConfig(name=name, file_name=container, dataset=dataset)

    return Sample(
        container,
        config("raw", EM),
        config("labels", f"{CROP_GROUP}/all/s0"),
        config("mito_gt", f"{CROP_GROUP}/mito/s0"),
        crop_roi,
    )


def example_configs(sample: Sample) -> dict[str, ArrayConfig]:
    """One config per file name, using the array kinds DaCapo trains from."""
    binarized = BinarizeArrayConfig(name="organelles", source_array_config=sample.labels,
                                    groupings=GROUPINGS)  # fmt: skip
    return {
        "raw.yaml": sample.em,
        "labels.yaml": sample.labels,
        "raw_normalized.yaml": IntensitiesArrayConfig(
            name="raw_normalized", source_array_config=sample.em, min=0, max=255
        ),
        "organelles.yaml": binarized,
        "raw_16nm.yaml": ResampledArrayConfig(
            name="raw_16nm",
            source_array_config=sample.em,
            upsample=Coordinate(1, 1, 1),
            downsample=Coordinate(2, 2, 2),
            interp_order=1,
        ),
        "raw_crop1.yaml": CropArrayConfig(
            name="raw_crop1", source_array_config=sample.em, roi=sample.crop_roi
        ),
        "annotated.yaml": MissingAnnotationsMaskConfig(
            name="annotated", source_array_config=sample.labels, groupings=GROUPINGS
        ),
        "any_organelle.yaml": LogicalOrArrayConfig(
            name="any_organelle", source_array_config=binarized
        ),
    }


def write_configs(sample: Sample, folder: Path) -> dict[str, Path]:
    """Write :func:`example_configs` as YAML files into ``folder``; return them by name."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for file_name, config in example_configs(sample).items():
        path = folder / file_name
        config.to_file(path)
        paths[file_name] = path
    (folder / SAMPLER_FILE).write_text(SAMPLER_CONFIG)  # read by `dacapo-arrays sample`
    return paths


#: A training sampler over the configs above (``dacapo-arrays sample configs/sample.yaml``).
SAMPLER_FILE = "sample.yaml"
SAMPLER_CONFIG = """\
# Training samples: raw around each point, organelle targets and their mask (see
# docs/training.md). Run: dacapo-arrays sample demo/configs/sample.yaml --report --png s.png
datasets:
  - raw: raw.yaml
    gt: organelles.yaml
    mask: annotated.yaml
shapes:
  raw: [40, 40, 40]
  gt: [24, 24, 24]
  mask: [24, 24, 24]
seed: 0
reject: {mask: 0.5}
mirror: true
transpose: true
prefetch: 4
"""
