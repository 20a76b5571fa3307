"""The PyTorch datasets in a real DataLoader with 2 spawned workers (skipped without torch;
``.ci/run`` runs them in a venv with torch)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import BinarizeArrayConfig, NumpyArray
from dacapo_arrays.sampling import Sampler
from dacapo_arrays.testing.sources import zarr_source

torch = pytest.importorskip("torch")
from torch.utils.data import DataLoader  # noqa: E402

from dacapo_arrays.sampling.torch import SampleList, SampleStream  # noqa: E402


def _sampler(folder: Path) -> Sampler:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, (16, 16, 16)).repeat(2, 0).repeat(2, 1).repeat(2, 2)
    roi = Roi((0, 0, 0), (128, 128, 128))
    truth = NumpyArray.from_np_array(labels.astype(np.uint64), roi, (4, 4, 4), ["z", "y", "x"])
    config = zarr_source(folder, truth, write_size=Coordinate(64, 64, 64))
    gt = BinarizeArrayConfig("gt", config, [("one", [1]), ("two", [2, 3])])
    return Sampler(
        [{"labels": config, "gt": gt}], {"labels": (8, 8, 8), "gt": (8, 8, 8)}, seed=4, mirror=True
    )


def _rois(batches: list[dict[str, torch.Tensor]]) -> list[tuple[int, ...]]:
    return [tuple(r.flatten().tolist()) for b in batches for r in b["labels.roi"]]


def test_an_epoch_with_two_spawned_workers(tmp_path: Path) -> None:
    stream = SampleStream(_sampler(tmp_path), samples_per_epoch=12, with_rois=True)
    loader = DataLoader(stream, batch_size=2, num_workers=2, multiprocessing_context="spawn")
    batches = list(loader)
    assert len(batches) == 6
    for batch in batches:
        assert batch["gt"].shape == (2, 2, 8, 8, 8)
        assert batch["gt"].dtype == torch.uint8
        ids = batch["labels"].to(torch.int64)
        assert torch.equal(batch["gt"][:, 0], (ids == 1).to(torch.uint8))
    rois = _rois(batches)
    assert len(set(rois)) == len(rois)  # the workers' streams do not repeat each other
    stream.set_epoch(1)
    assert _rois(list(loader)) != rois


def test_persistent_workers_draw_new_streams_every_epoch(tmp_path: Path) -> None:
    stream = SampleStream(_sampler(tmp_path), samples_per_epoch=8, with_rois=True)
    loader = DataLoader(
        stream,
        batch_size=2,
        num_workers=2,
        multiprocessing_context="spawn",
        persistent_workers=True,
    )
    epochs = []
    for epoch in range(3):
        stream.set_epoch(epoch)  # never reaches the persistent workers' copies
        epochs.append(_rois(list(loader)))
    drawn = [roi for rois in epochs for roi in rois]
    assert len(set(drawn)) == len(drawn) == 24  # no epoch repeats another, no worker repeats


def test_map_style_list_under_spawn(tmp_path: Path) -> None:
    samples = SampleList(_sampler(tmp_path), 6, with_rois=True)
    loader = DataLoader(samples, batch_size=3, num_workers=2, multiprocessing_context="spawn")
    rois = _rois(list(loader))
    assert rois == [tuple(samples[i]["labels.roi"].flatten().tolist()) for i in range(6)]
