"""Reads in flight (``Array.read_async``, ``Array.read_many``): results, bounds, errors."""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    BinarizeArrayConfig,
    ConcatArrayConfig,
    LogicalOrArrayConfig,
    MergeInstancesArrayConfig,
    NumpyArray,
    ROIError,
    StorageError,
    SumArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._reads import derive, done, gather, shared_reads
from dacapo_arrays.testing.sources import numpy_truth, zarr_source
from dacapo_arrays.testing.virtual import recorded_reads_of


def _rois(truth: NumpyArray, count: int, seed: int = 0) -> list[Roi]:
    rng = np.random.default_rng(seed)
    rois = []
    for _ in range(count):
        shape = Coordinate(rng.integers(1, 6, truth.dims)) * truth.voxel_size
        begin = [
            b + int(rng.integers(0, (s - w) // v + 1)) * v
            for b, s, w, v in zip(
                truth.roi.begin, truth.roi.shape, shape, truth.voxel_size, strict=True
            )
        ]
        rois.append(Roi(begin, shape))
    return rois


def test_many_threads_issue_reads_at_once(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(12, 16, 20), dtype="uint64", voxel_size=(4, 4, 4))
    config = zarr_source(tmp_path, truth)
    array = BinarizeArrayConfig("mito", config, [("a", [1, 2, 3]), ("b", [7])]).create_array()
    rois = _rois(truth, 48)
    with ThreadPoolExecutor(6) as threads:
        futures = list(threads.map(array.read_async, rois))
    for roi, future in zip(rois, futures, strict=True):
        np.testing.assert_array_equal(future.result(), array[roi])


class _Counting(NumpyArray):
    """A numpy array whose reads count how many are in flight. Read ``k`` (in the order they
    were issued) finishes only once read ``k + limit - 1`` was issued (or all ``total``), so
    a reader that keeps ``limit`` reads in flight is seen to reach it however slowly this
    machine issues them; one that keeps fewer waits 5 s per read and is seen to stay below."""

    def __init__(self, truth: NumpyArray, limit: int, total: int) -> None:
        super().__init__(truth.data, truth.roi, truth.voxel_size, truth.axes)
        self.limit, self.total = limit, total
        self.now = self.most = self.issued = 0
        self.changed = threading.Condition()

    def _read_async(self, roi: Roi) -> Future[np.ndarray]:
        with self.changed:
            self.now += 1
            self.issued += 1
            self.most = max(self.most, self.now)
            self.changed.notify_all()
            wanted = min(self.issued + self.limit - 1, self.total)
        future: Future[np.ndarray] = Future()

        def finish() -> None:
            with self.changed:
                self.changed.wait_for(lambda: self.issued >= wanted, timeout=5)
                self.now -= 1
            future.set_result(self._read(roi))

        threading.Thread(target=finish, daemon=True).start()
        return future


def test_read_many_keeps_at_most_in_flight_reads() -> None:
    truth = numpy_truth(shape=(12, 16, 20), voxel_size=(2, 2, 2))
    rois = _rois(truth, 30, seed=1)
    array = _Counting(truth, limit=5, total=len(rois))
    got = list(array.read_many(rois, in_flight=5))
    assert array.most == 5
    for roi, values in zip(rois, got, strict=True):
        np.testing.assert_array_equal(values, truth[roi])


def _corrupt_one_chunk(tmp_path: Path) -> tuple[NumpyArray, object, Roi, Roi]:
    truth = numpy_truth(shape=(16, 16, 16), voxel_size=(1, 1, 1), offset=(0, 0, 0))
    array = zarr_source(tmp_path, truth, write_size=Coordinate(8, 8, 8)).to_array()
    (tmp_path / "data.zarr" / "source" / "0" / "0" / "0").write_bytes(b"not a compressed chunk")
    return truth, array, Roi((0, 0, 0), (4, 4, 4)), Roi((8, 8, 8), (4, 4, 4))


def test_a_failed_read_fails_only_its_future(tmp_path: Path) -> None:
    truth, array, broken, fine = _corrupt_one_chunk(tmp_path)
    bad, good = array.read_async(broken), array.read_async(fine)  # type: ignore[attr-defined]
    with pytest.raises(StorageError, match=r"cannot read ROI \[0:4, 0:4, 0:4\]"):
        bad.result()
    np.testing.assert_array_equal(good.result(), truth[fine])


def test_read_many_raises_or_returns_errors_at_their_position(tmp_path: Path) -> None:
    truth, array, broken, fine = _corrupt_one_chunk(tmp_path)
    outside = Roi((0, 0, 0), (32, 4, 4))
    got = list(array.read_many([fine, broken, outside, fine], return_exceptions=True))  # type: ignore[attr-defined]
    np.testing.assert_array_equal(got[0], truth[fine])
    assert isinstance(got[1], StorageError)
    assert isinstance(got[2], ROIError)
    np.testing.assert_array_equal(got[3], truth[fine])
    reads = array.read_many([fine, broken, fine])  # type: ignore[attr-defined]
    np.testing.assert_array_equal(next(reads), truth[fine])
    with pytest.raises(StorageError, match="cannot read ROI"):
        next(reads)


def test_an_invalid_request_raises_at_once() -> None:
    array = numpy_truth(voxel_size=(2, 2, 2))
    with pytest.raises(ROIError, match="is not aligned with voxel size"):
        array.read_async(Roi(array.roi.begin, (3, 2, 2)))
    with pytest.raises(ValueError, match="in_flight must be at least 1"):
        next(array.read_many([array.roi], in_flight=0))


def test_gather_keeps_order_and_reports_the_first_error() -> None:
    ok: Future[int] = Future()
    ok.set_result(1)
    failed: Future[int] = Future()
    failed.set_exception(KeyError("x"))
    assert gather([ok, ok]).result() == [1, 1]
    assert gather([]).result() == []
    with pytest.raises(KeyError):
        gather([ok, failed]).result()


def test_shared_reads_issue_one_read_per_dataset_and_roi(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(8, 8, 8), voxel_size=(1, 1, 1), offset=(0, 0, 0))
    config = zarr_source(tmp_path, truth)
    one, two = config.to_array(), config.to_array()
    roi = Roi((0, 0, 0), (4, 4, 4))
    with shared_reads():
        first, again, other = one.read_async(roi), two.read_async(roi), one.read_async(truth.roi)
    assert first is again
    assert other is not first
    assert one.read_async(roi) is not two.read_async(roi)
    np.testing.assert_array_equal(first.result(), truth[roi])


def test_derive_computes_once_per_future_and_function_in_a_shared_block() -> None:
    calls: list[int] = []

    def double(value: int) -> int:
        calls.append(value)
        return 2 * value

    source = done(3)
    with shared_reads():
        first, again, other = (
            derive(source, double),
            derive(source, double),
            derive(done(3), double),
        )
        halved = derive(source, lambda value: value // 2)
    assert first is again
    assert other is not first
    assert [first.result(), other.result(), halved.result()] == [6, 6, 1]
    assert calls == [3, 3]
    assert derive(source, double) is not derive(source, double)  # outside a block: each time
    failed: Future[int] = Future()
    failed.set_exception(KeyError("lost"))
    with shared_reads(), pytest.raises(KeyError, match="lost"):
        derive(failed, double).result()


def _multi_source_configs(folder: Path) -> dict[str, object]:
    """One config of each kind that reads several sources (or one, computing on it)."""
    a = numpy_truth(shape=(6, 8, 10), dtype="uint16", voxel_size=(2, 2, 2), seed=1)
    b = numpy_truth(shape=(6, 8, 10), dtype="uint16", voxel_size=(2, 2, 2), seed=2)
    one = zarr_source(folder, a, name="a", dataset="a")
    two = zarr_source(folder, b, name="b", dataset="b")
    cat = ConcatArrayConfig("cat", ["x", "y", "z"], {"x": one, "z": two})
    return {
        "concat": cat,
        "sum": SumArrayConfig("sum", [one, two, one]),
        "merge": MergeInstancesArrayConfig("merge", [one, two], max_ids=[300, 300]),
        "or": LogicalOrArrayConfig("or", cat),
    }


@pytest.mark.parametrize("kind", ["concat", "sum", "merge", "or"])
def test_multi_source_kinds_chain_their_sources_reads(tmp_path: Path, kind: str) -> None:
    """``read_async`` starts every source's own ``read_async`` at once and computes when they
    are in: no thread waits on a blocking source read (the sources' ``_read`` never runs)."""
    array = _multi_source_configs(tmp_path)[kind].create_array()  # type: ignore[attr-defined]
    stored = [s for s in array.sources for s in (s, *s.sources)]
    for roi in _rois(numpy_truth(shape=(6, 8, 10), voxel_size=(2, 2, 2)), 6, seed=3):
        roi = roi.intersect(array.roi).snap_to_grid(array.voxel_size, mode="shrink")
        if roi.empty:
            continue
        with recorded_reads_of(stored) as blocking:
            future = array.read_async(roi)
            values = future.result()
        assert blocking == []
        np.testing.assert_array_equal(values, array[roi])
