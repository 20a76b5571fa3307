"""PyTorch datasets over a :class:`~dacapo_arrays.sampling.Sampler` (``pip install torch``).

* :class:`SampleStream`, a ``torch.utils.data.IterableDataset``: each DataLoader worker draws
  its own reproducible stream (seed, epoch, worker id), with the sampler's prefetch, rejection
  and augmentations;
* :class:`SampleList`, a map-style ``Dataset`` over a fixed list of draws (points and
  augmentations drawn once from the seed; no rejection), for shuffling samplers and
  evaluation.

Both yield ``{name: tensor}`` (plus ``"<name>.roi"``: ``[begin, shape]`` in nm, with
``with_rois=True``). They pickle as the sampler's arrays' configs, so they work with
``DataLoader(num_workers=k, multiprocessing_context="spawn")``: each worker opens its own
storage handles (tensorstore is not fork-safe).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset, IterableDataset, get_worker_info

from .sampler import Sample, Sampler


def to_tensors(sample: Sample, *, with_rois: bool = False) -> dict[str, Any]:
    """``{name: tensor}`` of a sample (and ``"<name>.roi"`` tensors with ``with_rois``)."""
    out: dict[str, Any] = {}
    for name, (roi, values) in sample.items():
        out[name] = torch.from_numpy(values)
        if with_rois:
            out[f"{name}.roi"] = torch.tensor(np.array([roi.begin, roi.shape], dtype=np.int64))
    return out


class SampleStream(IterableDataset):  # type: ignore[misc]
    """Samples without end, or ``samples_per_epoch`` of them split across workers.

    Worker ``w`` draws the stream ``(e, k, w)`` of the sampler's seed, where ``e`` is the
    epoch given to :meth:`set_epoch` and ``k`` counts the iterations its copy of the dataset
    started since: workers never repeat each other, epochs never repeat, and a run is
    reproducible. ``k`` is what moves persistent workers (``persistent_workers=True``, which
    keep their open handles and what their sampler keeps in memory) on to a new stream each
    epoch: they were given the dataset once, so ``set_epoch`` in the main process never
    reaches them.
    """

    def __init__(
        self, sampler: Sampler, samples_per_epoch: int | None = None, *, with_rois: bool = False
    ) -> None:
        self.sampler = sampler
        self.samples_per_epoch = samples_per_epoch
        self.with_rois = with_rois
        self.epoch = 0
        self._started = 0

    def set_epoch(self, epoch: int) -> None:
        """Draw another stream for ``epoch`` (call it before each epoch's DataLoader loop)."""
        self.epoch = epoch
        self._started = 0

    def __len__(self) -> int:
        if self.samples_per_epoch is None:
            raise TypeError("a SampleStream without samples_per_epoch has no length")
        return self.samples_per_epoch

    def __iter__(self) -> Iterator[dict[str, Any]]:
        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        share = None
        if self.samples_per_epoch is not None:
            share = self.samples_per_epoch // workers + (worker < self.samples_per_epoch % workers)
        stream = self.sampler.with_stream(self.epoch, self._started, worker)
        self._started += 1
        for sample in stream.take(share):
            yield to_tensors(sample, with_rois=self.with_rois)


class SampleList(Dataset):  # type: ignore[misc]
    """``count`` fixed samples: draw ``i`` is the same in every process and every epoch."""

    def __init__(self, sampler: Sampler, count: int, *, with_rois: bool = False) -> None:
        self.sampler = sampler
        self.draws = sampler.draws(count)
        self.with_rois = with_rois

    def __len__(self) -> int:
        return len(self.draws)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return to_tensors(self.sampler.read(self.draws[index]), with_rois=self.with_rois)


__all__ = ["SampleList", "SampleStream", "to_tensors"]
