"""``Sampler``: windows aligned with each other and with whole-array reads, seeds, streams,
augmentations, rejection and padding, on real arrays (numpy and zarr)."""

from __future__ import annotations

import itertools
import time
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dacapo.experiments.datasplits.datasets.arrays import BinarizeArrayConfig, NumpyArray
from dacapo_arrays.sampling import RejectionError, Sampler
from dacapo_arrays.testing.sources import zarr_source

WORLD = 128  # nm per axis of every test array


def _array(voxel: tuple[int, ...], seed: int, offset: int = 0) -> NumpyArray:
    shape = tuple(WORLD // v for v in voxel)
    data = np.random.default_rng(seed).integers(0, 250, shape, dtype=np.uint8)
    roi = Roi((offset,) * 3, (WORLD,) * 3)
    return NumpyArray.from_np_array(data, roi, voxel, ["z", "y", "x"])


def _blocks(voxel: int, block: int = 8, seed: int = 0, offset: int = 0) -> NumpyArray:
    """Values constant over ``block`` nm cubes (so every voxel size <= block agrees)."""
    coarse = np.random.default_rng(seed).integers(0, 250, (WORLD // block,) * 3, dtype=np.uint8)
    factor = block // voxel
    data = coarse.repeat(factor, 0).repeat(factor, 1).repeat(factor, 2)
    return NumpyArray.from_np_array(
        data, Roi((offset,) * 3, (WORLD,) * 3), (voxel,) * 3, ["z", "y", "x"]
    )


VOXELS = st.tuples(*[st.sampled_from([1, 2, 4, 8])] * 3)


@settings(max_examples=40, deadline=None)
@given(
    voxels=st.lists(VOXELS, min_size=1, max_size=3),
    shapes=st.lists(st.tuples(*[st.integers(1, 9)] * 3), min_size=3, max_size=3),
    seed=st.integers(0, 2**16),
    cache=st.sampled_from([0, 1 << 30]),  # read window by window, or kept in memory
)
def test_windows_are_centred_inside_and_equal_whole_reads(
    voxels: list[tuple[int, ...]], shapes: list[tuple[int, ...]], seed: int, cache: int
) -> None:
    arrays = {f"a{i}": _array(v, i) for i, v in enumerate(voxels)}
    wanted = {n: shapes[i] for i, n in enumerate(arrays)}
    sizes = [(s, v) for n in arrays for s, v in zip(wanted[n], arrays[n].voxel_size, strict=True)]
    assume(all(s * v <= WORLD for s, v in sizes))
    sampler = Sampler([arrays], wanted, seed=seed, prefetch=2, cache=cache)
    assert sampler.kept == [cache > 0]
    for sample in itertools.islice(sampler, 3):
        centres = set()
        for name, (roi, values) in sample.items():
            array = arrays[name]
            assert array.roi.contains(roi)
            assert roi.shape == Coordinate(wanted[name]) * array.voxel_size
            whole = array[array.roi]
            begin = (roi.begin - array.roi.begin) / array.voxel_size
            index = tuple(slice(b, b + s) for b, s in zip(begin, wanted[name], strict=True))
            np.testing.assert_array_equal(values, whole[index])
            twice_centre = (2 * b + w for b, w in zip(roi.begin, roi.shape, strict=True))
            centres.add(tuple(twice_centre))
        # the centres differ by less than a voxel of the coarsest array
        coarsest = [max(a.voxel_size[d] for a in arrays.values()) for d in range(3)]
        for axis in range(3):
            spread = max(c[axis] for c in centres) - min(c[axis] for c in centres)
            assert spread < 2 * coarsest[axis]


def test_windows_of_equal_width_cover_the_same_region() -> None:
    arrays = {"raw": _blocks(4), "gt": _blocks(8), "mask": _blocks(2)}
    shapes = {"raw": (16, 16, 16), "gt": (8, 8, 8), "mask": (32, 32, 32)}
    for sample in itertools.islice(Sampler([arrays], shapes, seed=3), 10):
        rois = {(tuple(roi.begin), tuple(roi.shape)) for roi, _ in sample.values()}
        assert len(rois) == 1
        raw, gt = sample["raw"][1], sample["gt"][1]
        np.testing.assert_array_equal(raw, gt.repeat(2, 0).repeat(2, 1).repeat(2, 2))


def test_mirror_and_transpose_keep_arrays_aligned() -> None:
    arrays = {"raw": _blocks(4), "gt": _blocks(8)}
    shapes = {"raw": (16, 16, 16), "gt": (8, 8, 8)}
    plain = list(itertools.islice(Sampler([arrays], shapes, seed=1), 20))
    sampler = Sampler([arrays], shapes, seed=1, mirror=True, transpose=True)
    changed = 0
    for sample in itertools.islice(sampler, 20):
        raw, gt = sample["raw"][1], sample["gt"][1]
        np.testing.assert_array_equal(raw, gt.repeat(2, 0).repeat(2, 1).repeat(2, 2))
        assert raw.flags.c_contiguous
        window = arrays["raw"][sample["raw"][0]]
        assert sorted(raw.ravel()) == sorted(window.ravel())  # the same voxels, moved
        changed += not np.array_equal(raw, window)
    assert changed > 10
    assert plain[0]["raw"][0] != plain[1]["raw"][0]


def test_transpose_refuses_axes_that_differ() -> None:
    arrays = {"raw": _blocks(4)}
    with pytest.raises(ValueError, match=r"cannot transpose axes \['z', 'y', 'x'\] of 'raw'"):
        Sampler([arrays], {"raw": (4, 8, 8)}, transpose=True)
    Sampler([arrays], {"raw": (4, 8, 8)}, transpose=["y", "x"])
    with pytest.raises(ValueError, match="not spatial axes"):
        Sampler([arrays], {"raw": (4, 8, 8)}, mirror=["q"])


def _rois(sampler: Sampler, count: int = 8) -> list[Roi]:
    return [s["raw"][0] for s in itertools.islice(sampler, count)]


def test_seeds_reproduce_and_streams_differ() -> None:
    arrays = {"raw": _array((2, 2, 2), 0)}
    sampler = Sampler([arrays], {"raw": (8, 8, 8)}, seed=7, mirror=True)
    again = Sampler([arrays], {"raw": (8, 8, 8)}, seed=7, mirror=True)
    assert _rois(sampler) == _rois(again) == _rois(sampler)
    for a, b in zip(itertools.islice(sampler, 4), itertools.islice(again, 4), strict=True):
        np.testing.assert_array_equal(a["raw"][1], b["raw"][1])
    assert _rois(sampler) != _rois(Sampler([arrays], {"raw": (8, 8, 8)}, seed=8))
    streams = [_rois(sampler.with_stream(worker), 16) for worker in range(3)]
    assert streams[0] == _rois(sampler.with_stream(0), 16)
    for a, b in itertools.combinations(streams, 2):
        assert a != b


def test_datasets_are_weighted() -> None:
    small = {"raw": _array((2, 2, 2), 0)}
    far = {"raw": _array((2, 2, 2), 1, offset=1000)}
    shapes = {"raw": (8, 8, 8)}
    rois = _rois(Sampler([small, far], shapes, weights=[1, 3], seed=0), 400)
    share = sum(r.begin[0] >= 1000 for r in rois) / len(rois)
    assert 0.68 < share < 0.82
    assert all(r.begin[0] >= 1000 for r in _rois(Sampler([small, far], shapes, weights=[0, 1])))
    with pytest.raises(ValueError, match="give one non-negative weight per dataset"):
        Sampler([small, far], shapes, weights=[1])


def test_rejection_keeps_enough_annotation_and_counts() -> None:
    data = np.zeros((64, 64, 64), np.uint8)
    data[:32] = 1  # half annotated
    mask = NumpyArray.from_np_array(data, Roi((0, 0, 0), (128,) * 3), (2, 2, 2), ["z", "y", "x"])
    arrays = {"raw": _array((2, 2, 2), 0), "mask": mask}
    shapes = {"raw": (16, 16, 16), "mask": (16, 16, 16)}
    sampler = Sampler([arrays], shapes, reject={"mask": 0.75}, seed=2)
    for sample in itertools.islice(sampler, 30):
        assert sample["mask"][1].mean() >= 0.75
    assert sampler.stats.accepted == 30
    assert sampler.stats.rejected > 0
    assert 0 < sampler.stats.rejection_rate < 1
    empty = NumpyArray.from_np_array(
        np.zeros_like(data), Roi((0, 0, 0), (128,) * 3), (2, 2, 2), ["z", "y", "x"]
    )
    hopeless = Sampler([{**arrays, "mask": empty}], shapes, reject={"mask": 0.1}, max_tries=5)
    with pytest.raises(RejectionError, match="5 samples in a row were rejected"):
        next(iter(hopeless))
    assert hopeless.stats.candidates == 5


def test_padding_fills_outside_the_roi() -> None:
    small = NumpyArray.from_np_array(
        np.ones((4, 4, 4), np.uint8), Roi((0, 0, 0), (16, 16, 16)), (4, 4, 4), ["z", "y", "x"]
    )
    with pytest.raises(ValueError, match=r"no sample fits in dataset 0.*pad=\{name: value\}"):
        Sampler([{"gt": small}], {"gt": (8, 8, 8)})
    sampler = Sampler([{"gt": small}], {"gt": (8, 8, 8)}, pad=7, seed=0)
    for sample in itertools.islice(sampler, 10):
        roi, values = sample["gt"]
        inside = roi.intersect(small.roi)
        assert not small.roi.contains(roi)
        assert (values == 1).sum() == np.prod(inside.shape / small.voxel_size)
        assert set(np.unique(values)) <= {1, 7}


def test_configs_over_zarr_with_channels(tmp_path: Path) -> None:
    labels = _blocks(4, seed=5)
    labels = NumpyArray.from_np_array(
        (labels.data % 4).astype(np.uint64), labels.roi, labels.voxel_size, labels.axes
    )
    config = zarr_source(tmp_path, labels, write_size=Coordinate(32, 32, 32))
    gt = BinarizeArrayConfig("gt", config, [("one", [1]), ("two", [2, 3])])
    sampler = Sampler([{"labels": config, "gt": gt}], {"labels": (6, 6, 6), "gt": (6, 6, 6)})
    for sample in itertools.islice(sampler, 5):
        ids, groups = sample["labels"][1], sample["gt"][1]
        assert groups.shape == (2, 6, 6, 6)
        np.testing.assert_array_equal(groups[0], ids == 1)
        np.testing.assert_array_equal(groups[1], np.isin(ids, [2, 3]))


class _Slow(NumpyArray):
    """A numpy array whose reads take a while and are counted when they finish."""

    finished = 0

    def _read(self, roi: Roi) -> np.ndarray:
        time.sleep(0.02)
        values = super()._read(roi)
        type(self).finished += 1
        return values


def _slow_sampler(**options: object) -> Sampler:
    base = _array((4, 4, 4), seed=1)
    slow = _Slow.from_np_array(base.data, base.roi, base.voxel_size, base.axes)
    assert isinstance(slow, _Slow)
    _Slow.finished = 0
    # cache=0: windows read one by one, so the reads counted are the samples' own
    return Sampler([{"raw": slow}], {"raw": (4, 4, 4)}, prefetch=6, cache=0, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize("count", [0, 1, 3, 10])
def test_take_reads_no_sample_beyond_those_it_yields(count: int) -> None:
    plain = Sampler([{"raw": _array((4, 4, 4), seed=1)}], {"raw": (4, 4, 4)}, prefetch=6)
    expected = [s["raw"][0] for s in itertools.islice(plain, count)]
    sampler = _slow_sampler()
    taken = [roi for roi, _ in (s["raw"] for s in sampler.take(count))]
    assert _Slow.finished == count
    assert taken == expected


def test_take_counts_accepted_samples_when_rejecting() -> None:
    sampler = _slow_sampler(reject={"raw": 0.99})  # random uint8: about 1 in 250 is zero
    taken = list(sampler.take(5))
    assert len(taken) == 5
    assert sampler.stats.accepted == 5
    assert sampler.stats.rejected == sampler.stats.candidates - 5
