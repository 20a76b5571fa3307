"""Keeping datasets in memory (``Sampler(cache=...)``): the same values as reading every
window, each block read once, bounded by the budget, failures forgotten, fresh per process."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate, Roi
from hypothesis import given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import (
    BinarizeArrayConfig,
    MissingAnnotationsMaskConfig,
    NumpyArray,
    ResampledArrayConfig,
    ZarrArrayConfig,
)
from dacapo_arrays.sampling import Sampler
from dacapo_arrays.sampling.cache import KeptRegion, choose_kept

VOXEL = st.tuples(*[st.sampled_from([1, 2, 4, 8])] * 3)


@st.composite
def _kept_and_rois(draw: st.DrawFn) -> tuple[NumpyArray, Roi, int, list[Roi]]:
    voxel = Coordinate(draw(VOXEL))
    channels = draw(st.sampled_from([None, 2]))
    shape = Coordinate(draw(st.tuples(*[st.integers(1, 12)] * 3)))
    offset = Coordinate(draw(st.tuples(*[st.integers(-3, 3)] * 3))) * voxel
    spatial = tuple(shape)
    full = spatial if channels is None else (channels, *spatial)
    data = np.random.default_rng(draw(st.integers(0, 99))).integers(0, 2**16, full)
    axes = ["z", "y", "x"] if channels is None else ["c", "z", "y", "x"]
    array = NumpyArray.from_np_array(
        data.astype(np.uint16), Roi(offset, shape * voxel), voxel, axes
    )
    low = Coordinate(draw(st.integers(0, s - 1)) for s in shape)
    high = Coordinate(draw(st.integers(lo + 1, s)) for lo, s in zip(low, shape, strict=True))
    region = Roi(offset + low * voxel, (high - low) * voxel)
    rois = []
    for _ in range(draw(st.integers(1, 4))):
        begin = Coordinate(draw(st.integers(lo, hi - 1)) for lo, hi in zip(low, high, strict=True))
        end = Coordinate(draw(st.integers(b + 1, hi)) for b, hi in zip(begin, high, strict=True))
        rois.append(Roi(offset + begin * voxel, (end - begin) * voxel))
    return array, region, draw(st.integers(1, 5)), rois


@settings(max_examples=80, deadline=None)
@given(case=_kept_and_rois())
def test_kept_reads_equal_the_arrays_reads(case: tuple[NumpyArray, Roi, int, list[Roi]]) -> None:
    array, region, block, rois = case
    kept = KeptRegion(array, region, block)
    for roi in rois * 2:  # the second time from kept blocks only
        values = kept.read_async(roi).result()
        np.testing.assert_array_equal(values, array[roi])
        values[...] = 0  # a fresh array: changing it changes nothing kept
    blocks = np.prod(
        [-(-s // (block * v)) for s, v in zip(region.shape, array.voxel_size, strict=True)]
    )
    assert kept.blocks_read <= blocks
    with pytest.raises(ValueError, match="is not inside the kept region"):
        kept.read_async(region.grow(array.voxel_size, array.voxel_size))


def _labels(folder: Path) -> ZarrArrayConfig:
    """uint64 ids at 4 nm with CellMap annotation metadata, written by zarr-python."""
    z, y, x = np.ogrid[:48, :48, :48]
    ids = ((z // 6 * 7 + y // 8 * 3 + x // 5) % 6).astype(np.uint64)  # 0: unknown
    stored = zarr.open_array(
        str(folder / "crop.zarr" / "labels"), mode="w", shape=ids.shape, chunks=(16, 16, 16),
        dtype=ids.dtype,
    )  # fmt: skip
    stored[...] = ids
    dense, sparse = (
        {"present": True, "annotated": "dense"},
        {"present": True, "annotated": "sparse"},
    )
    states = [dense, dense, dense, dense, sparse]  # label 5 present, not annotated: group c masked
    stored.attrs.update(
        {
            "resolution": [4, 4, 4],
            "offset": [32, 32, 32],
            "labels": [{"value": i + 1, "annotationState": s} for i, s in enumerate(states)],
        }
    )
    return ZarrArrayConfig(name="labels", file_name=folder / "crop.zarr", dataset="labels")


def _training(folder: Path) -> dict[str, object]:
    labels = _labels(folder)
    raw = np.random.default_rng(0).integers(0, 255, (40, 40, 40), dtype=np.uint8)
    raw_array = NumpyArray.from_np_array(raw, Roi((0, 0, 0), (320,) * 3), (8, 8, 8), list("zyx"))
    at_8nm = ResampledArrayConfig("labels_8nm", labels, (1, 1, 1), (2, 2, 2), 0)
    groups = [("a", [1, 2]), ("b", [3]), ("c", [4, 5])]
    return {
        "raw": raw_array,
        "gt": BinarizeArrayConfig("gt", at_8nm, groups),
        "mask": MissingAnnotationsMaskConfig("mask", at_8nm, groups),
    }


SHAPES = {"raw": (20, 20, 20), "gt": (10, 10, 10), "mask": (10, 10, 10)}


@pytest.mark.parametrize(
    "options",
    [{}, {"mirror": True, "transpose": True}, {"pad": {"gt": 0, "mask": 0}}],
    ids=["plain", "augmented", "padded"],
)
def test_kept_samples_equal_samples_read_window_by_window(
    tmp_path: Path, options: dict[str, object]
) -> None:
    dataset = _training(tmp_path)
    kept = Sampler([dataset], SHAPES, seed=4, **options)  # type: ignore[list-item,arg-type]
    plain = Sampler([dataset], SHAPES, seed=4, cache=0, **options)  # type: ignore[list-item,arg-type]
    assert kept.kept == [True]
    assert plain.kept == [False]
    assert 0 < kept.kept_bytes <= kept.cache
    for a, b in zip(kept.take(25), plain.take(25), strict=True):
        for name in SHAPES:
            assert a[name][0] == b[name][0]
            np.testing.assert_array_equal(a[name][1], b[name][1])
    blocks = {n: k.blocks_read for n, k in kept._kept[0].items()}  # type: ignore[union-attr]
    assert all(blocks.values())
    for a, b in zip(kept.take(25), plain.take(25), strict=True):  # the same 25 again
        for name in SHAPES:
            np.testing.assert_array_equal(a[name][1], b[name][1])
    assert {n: k.blocks_read for n, k in kept._kept[0].items()} == blocks  # type: ignore[union-attr]


def test_the_budget_keeps_the_most_drawn_per_byte_first(tmp_path: Path) -> None:
    small = _training(tmp_path)
    shapes = SHAPES
    sizes = Sampler([small], shapes).kept_bytes
    both = [small, small]
    assert Sampler(both, shapes, cache=2 * sizes).kept == [True, True]
    assert Sampler(both, shapes, cache=2 * sizes - 1).kept == [True, False]
    assert Sampler(both, shapes, cache=2 * sizes - 1, weights=[1, 2]).kept == [False, True]
    assert Sampler(both, shapes, cache=0).kept_bytes == 0
    assert Sampler(both, shapes, cache=sizes, weights=[0, 1]).kept == [False, True]
    for wrong in (-1, "1GB", 1.5, True):
        with pytest.raises(ValueError, match=rf"cache={wrong!r} is not a number of bytes"):
            Sampler(both, shapes, cache=wrong)  # type: ignore[arg-type]
    assert choose_kept([5, 5], [0.5, 0.5], 4) == [False, False]


def test_a_failed_block_read_is_forgotten_and_read_again(tmp_path: Path) -> None:
    labels = _labels(tmp_path)
    array = labels.to_array()
    region = array.roi
    chunk = tmp_path / "crop.zarr" / "labels" / "0.0.0"
    good = chunk.read_bytes()
    chunk.write_bytes(b"not a compressed chunk at all")
    kept = KeptRegion(array, region, block=16)
    window = Roi(region.begin, array.voxel_size * 20)
    with pytest.raises(Exception, match="labels"):
        kept.read_async(window).result()
    chunk.write_bytes(good)
    np.testing.assert_array_equal(kept.read_async(window).result(), array[window])


def test_a_pickled_sampler_starts_with_nothing_kept(tmp_path: Path) -> None:
    sampler = Sampler([_training(tmp_path)], SHAPES, seed=2)
    first = [s["gt"][1] for s in sampler.take(4)]
    copy = pickle.loads(pickle.dumps(sampler))
    assert all(k.blocks_read == 0 for k in copy._kept[0].values())  # type: ignore[union-attr]
    for a, b in zip(first, (s["gt"][1] for s in copy.take(4)), strict=True):
        np.testing.assert_array_equal(a, b)
    assert sampler.with_stream(1)._kept is sampler._kept  # streams of one sampler share it
