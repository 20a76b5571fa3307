"""``ArraySource`` in a real gunpowder pipeline, as DaCapo's trainers built them."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import BinarizeArrayConfig
from dacapo_arrays.testing.sources import numpy_truth, zarr_source

gp = pytest.importorskip("gunpowder")
from dacapo_arrays.gunpowder import ArraySource  # noqa: E402

RAW_VOXEL, LABEL_VOXEL = (4, 4, 4), (8, 8, 8)


@pytest.fixture
def sources(tmp_path: Path):
    raw = numpy_truth(shape=(32, 32, 32), dtype="uint8", voxel_size=RAW_VOXEL, offset=(0, 0, 0))
    labels = numpy_truth(
        shape=(16, 16, 16), dtype="uint64", voxel_size=LABEL_VOXEL, offset=(0, 0, 0), seed=1
    )
    raw_config = zarr_source(tmp_path, raw, name="raw")
    label_config = zarr_source(tmp_path, labels, name="labels")
    return raw, raw_config, labels, label_config


def test_the_spec_matches_the_array(sources) -> None:
    raw, raw_config, _, label_config = sources
    raw_spec = ArraySource(gp.ArrayKey("RAW"), raw_config).array_spec()
    assert (raw_spec.roi, raw_spec.voxel_size, raw_spec.dtype) == (
        raw.roi,
        raw.voxel_size,
        raw.dtype,
    )
    assert raw_spec.interpolatable is None  # plain uint8: the labels rule does not guess
    assert ArraySource(gp.ArrayKey("RAW"), raw_config, True).array_spec().interpolatable is True
    assert ArraySource(gp.ArrayKey("L"), label_config).array_spec().interpolatable is False
    binarized = BinarizeArrayConfig(
        name="mask", source_array_config=label_config, groupings=[("fg", [1, 2, 3])]
    )
    mask_spec = ArraySource(gp.ArrayKey("MASK"), binarized).array_spec()
    assert mask_spec.interpolatable is False
    assert mask_spec.dtype == np.uint8
    with pytest.raises(TypeError, match="ArraySource takes an Array or an ArrayConfig, got str"):
        ArraySource(gp.ArrayKey("X"), "raw.zarr")  # type: ignore[arg-type]


def test_a_training_pipeline_at_two_voxel_sizes(sources) -> None:
    raw, raw_config, labels, _ = sources
    raw_key, label_key, shift_key = gp.ArrayKey("RAW"), gp.ArrayKey("LABELS"), gp.ArrayKey("S")
    pad = Coordinate(16, 16, 16)
    pipeline = (
        (ArraySource(raw_key, raw_config, interpolatable=True), ArraySource(label_key, labels))  # noqa: RUF005 (gunpowder builds pipelines with +)
        + gp.MergeProvider()
        + gp.Pad(raw_key, pad)
        + gp.Normalize(raw_key)
        + gp.RandomLocation(random_shift_key=shift_key)
        + gp.IntensityAugment(raw_key, 1.0, 1.0, 0.0, 0.0)
    )
    request = gp.BatchRequest()
    request.add(raw_key, Coordinate(48, 48, 48), voxel_size=Coordinate(RAW_VOXEL))
    request.add(label_key, Coordinate(48, 48, 48), voxel_size=Coordinate(LABEL_VOXEL))
    request[shift_key] = gp.ArraySpec(nonspatial=True)
    padded = raw.roi.grow(pad, pad)
    with gp.build(pipeline):
        for _ in range(4):
            batch = pipeline.request_batch(request)
            shift = Coordinate(batch[shift_key].data)  # where RandomLocation read from
            raw_roi = batch[raw_key].spec.roi.shift(shift)
            label_roi = batch[label_key].spec.roi.shift(shift)
            assert batch[raw_key].data.shape == (12, 12, 12)
            assert batch[label_key].data.shape == (6, 6, 6)
            assert batch[raw_key].data.dtype == np.float32
            np.testing.assert_array_equal(batch[label_key].data, labels[label_roi])
            expected = np.zeros((12, 12, 12), np.float32)
            inside = raw_roi.intersect(raw.roi)
            assert padded.contains(raw_roi)
            at = tuple(
                slice(b, b + s)
                for b, s in zip(
                    (inside.begin - raw_roi.begin) / raw.voxel_size,
                    inside.shape / raw.voxel_size,
                    strict=True,
                )
            )
            expected[at] = raw[inside].astype(np.float32) / 255
            np.testing.assert_allclose(batch[raw_key].data, expected, rtol=1e-6)


def test_a_config_source_pickles_as_its_config(sources) -> None:
    _, raw_config, _, _ = sources
    node = ArraySource(gp.ArrayKey("RAW"), raw_config, interpolatable=True)
    node.setup()
    copy = pickle.loads(pickle.dumps(node))
    assert copy._array is None
    roi = Roi((0, 0, 0), (8, 8, 8))
    np.testing.assert_array_equal(copy.array[roi], node.array[roi])
