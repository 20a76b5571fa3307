"""cellmap-data's ``CellMapDataset`` on the sampling benchmark's container, timed on request.

Runs in its own venv (``benchmarks/.envs/cellmap``, built by ``bench_sampling``): it imports
only cellmap-data, torch and numpy, never this project. ``python cellmap_peer.py CONTAINER
SEED`` opens the dataset (raw 216³ at 8 nm; the classes mito, er, nucleus 108³ at 8 nm, read
from their 4 nm label groups and resampled nearest by cellmap-data, as the Sampler resamples
the 4 nm labels), prints ``ready``, then reads one line at a time from stdin: ``N`` draws
``N`` random samples (``dataset[idx]``, as a DataLoader without workers would) and prints the
seconds they took and the CPU seconds of this process (all its threads); an empty line ends it.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from cellmap_data import CellMapDataset

CLASSES = ["mito", "er", "nucleus"]


def open_dataset(container: str) -> CellMapDataset:
    labels = f"{container}/recon-1/labels/crop1"
    return CellMapDataset(
        raw_path=f"{container}/recon-1/em/fibsem-uint8",
        target_path=f"{labels}/[{','.join(CLASSES)}]",
        classes=CLASSES,
        input_arrays={"raw": {"shape": (216, 216, 216), "scale": (8, 8, 8)}},
        target_arrays={"gt": {"shape": (108, 108, 108), "scale": (8, 8, 8)}},
    )


def main(container: str, seed: int) -> None:
    dataset = open_dataset(container)
    size = len(dataset)
    if size == 0:
        raise SystemExit(f"CellMapDataset on {container} has no valid sample")
    rng = np.random.default_rng(seed)
    sample = dataset[int(rng.integers(size))]  # warm-up: open the zarr arrays
    shapes = {k: tuple(v.shape) for k, v in sample.items() if k != "idx"}
    print(f"ready {size} {shapes}", flush=True)
    for line in sys.stdin:
        if not line.strip():
            break
        start, cpu = time.perf_counter(), time.process_time()
        for _ in range(int(line)):
            dataset[int(rng.integers(size))]
        print(f"{time.perf_counter() - start:.6f} {time.process_time() - cpu:.6f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
