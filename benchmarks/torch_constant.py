"""A DataLoader's own ceiling for the sampling benchmark (imported only in the torch venv):
an ``IterableDataset`` of constant tensors shaped like one sample, so a DataLoader run over it
times only what the DataLoader itself does (collate, shared memory, passing batches)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info


class ConstantSamples(IterableDataset):  # type: ignore[misc]
    """``count`` samples (split across workers) of ``{name: zeros(shape, uint8)}``."""

    def __init__(self, shapes: dict[str, tuple[int, ...]], count: int) -> None:
        self.shapes = shapes
        self.count = count

    def __iter__(self) -> Iterator[dict[str, torch.Tensor]]:
        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        share = self.count // workers + (worker < self.count % workers)
        for _ in range(share):  # a fresh array per sample, as a sampler hands out
            yield {n: torch.from_numpy(np.ones(s, np.uint8)) for n, s in self.shapes.items()}
