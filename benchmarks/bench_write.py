"""The blockwise writer against raw tensorstore, on the same volume in the same run.

Rows: the writer on an identity copy of the labels and on a binarized volume (when
``BinarizeArray`` exists), and the binarized write of a 1024³ labels volume tiled from the
512³ one (made once; ``BENCH_WRITE_LARGE=0`` skips it), each next to a plain tensorstore
loop that reads the same blocks and writes the same bytes, with blocks in flight on every
core. Throughput counts the bytes of the source read per second. The writer runs in its own
process so its peak RSS (main process and largest worker) is its own.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from funlib.geometry import Roi

from benchmarks.harness import CHUNK, Data, Row, make_large_labels
from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayIdentifier,
    BinarizeArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)

WORKERS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 2
MITO_IDS = [3, 4, 5, 17]
LARGE_WORKERS = 2

WRITER = textwrap.dedent(
    """
    import json, resource, sys, time
    from funlib.geometry import Roi
    from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, ArrayIdentifier
    from dacapo_arrays.blockwise import write

    if __name__ == "__main__":
        config = ArrayConfig.from_dict(json.loads(sys.argv[1]))
        roi = json.loads(sys.argv[5])
        start = time.perf_counter()
        write(config, ArrayIdentifier(sys.argv[2], "out"), workers=int(sys.argv[3]),
              chunk_shape=(int(sys.argv[4]),) * 3, roi=roi and Roi(*roi), overwrite=True,
              progress=False)
        seconds = time.perf_counter() - start
        # VmHWM: this process since exec (ru_maxrss would include the parent before exec)
        status = open("/proc/self/status").read().split("VmHWM:")[1]
        main = int(status.split()[0])
        workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        print(json.dumps({"seconds": seconds, "main_kb": main, "worker_kb": workers}))
    """
)


def _run_writer(
    config: ArrayConfig, output: Path, workers: int, roi: Roi | None = None
) -> dict[str, float]:
    """The writer in a fresh process: its seconds and peak RSS (main, largest worker)."""
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(f"{output}.blocks", ignore_errors=True)
    document = json.dumps(config.to_dict())
    where = json.dumps(None if roi is None else [list(roi.offset), list(roi.shape)])
    args = [sys.executable, "-c", WRITER, document, str(output), str(workers), str(CHUNK), where]
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _blocks(roi: Roi, voxel: Any) -> list[tuple[slice, ...]]:
    shape = [int(s) for s in roi.shape / voxel]
    return [
        (slice(z, z + CHUNK), slice(y, y + CHUNK), slice(x, x + CHUNK))
        for z in range(0, shape[0], CHUNK)
        for y in range(0, shape[1], CHUNK)
        for x in range(0, shape[2], CHUNK)
    ]


def _raw_tensorstore(
    source: ZarrArray,
    output: Path,
    dtype: str,
    compute: Callable[[np.ndarray], np.ndarray],
    workers: int,
) -> float:
    """Read every block, ``compute`` it, write it: plain tensorstore, blocks in flight."""
    shutil.rmtree(output, ignore_errors=True)
    target = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(output, "out"), source.axes, source.roi, None, source.voxel_size,
        dtype, write_size=source.voxel_size * CHUNK,
    )  # fmt: skip
    src, dst = source.tensorstore, target.tensorstore
    depth = 4 * workers
    start = time.perf_counter()
    reads: deque[Any] = deque()
    writes: deque[Any] = deque()
    for index in _blocks(source.roi, source.voxel_size):
        reads.append((index, src[index].read()))
        if len(reads) >= depth:
            done, future = reads.popleft()
            writes.append(dst[done].write(compute(future.result())))
        while len(writes) >= depth:
            writes.popleft().result()
    for done, future in reads:
        writes.append(dst[done].write(compute(future.result())))
    for write in writes:
        write.result()
    return time.perf_counter() - start


def _rows(
    name: str,
    config: ArrayConfig,
    data: Data,
    dtype: str,
    compute: Any,
    labels: ZarrArrayConfig | None = None,
    workers: int = WORKERS,
) -> list[Row]:
    """The writer's row and its raw tensorstore reference, over ``labels`` (default data's)."""
    labels = labels or data.labels
    source = ZarrArray.open_from_array_identifier(
        ArrayIdentifier(labels.file_name, labels.dataset)
    )
    nbytes = int(np.prod(source.shape)) * source.dtype.itemsize
    scratch = data.folder / f"bench_write-{os.getpid()}"  # the data folder may be shared
    writer = _run_writer(config, scratch / f"{name}.zarr", workers)
    # The fixed cost of any write (worker processes starting, importing, opening): one block.
    one_block = Roi(source.roi.offset, source.voxel_size * (2 * CHUNK))
    fixed = _run_writer(config, scratch / f"{name}-1.zarr", workers, one_block)["seconds"]
    reference = _raw_tensorstore(source, scratch / f"{name}-raw.zarr", dtype, compute, workers)
    shutil.rmtree(scratch, ignore_errors=True)
    writer_mbps = nbytes / writer["seconds"] / 1e6
    reference_mbps = nbytes / reference / 1e6
    steady_mbps = nbytes / max(writer["seconds"] - fixed, 1e-9) / 1e6
    note = (
        f"{source.shape[0]}³ uint64 labels ({nbytes / 1e9:.2f} GB) -> {dtype}, {workers} "
        f"workers, {CHUNK}³ chunks, {2 * CHUNK}³ blocks; without the {fixed:.1f} s start-up "
        f"of any write (a 1-block write): {steady_mbps:.0f} MB/s = "
        f"{steady_mbps / reference_mbps:.2f}x; peak RSS main "
        f"{writer['main_kb'] / 1024:.0f} MB, largest worker {writer['worker_kb'] / 1024:.0f} MB"
    )
    return [
        Row(f"write {name} (blockwise, daisy)", writer_mbps,
            (writer_mbps / reference_mbps, f"raw tensorstore {name}"), note),
        Row(f"raw tensorstore {name} (read+write loop)", reference_mbps),
    ]  # fmt: skip


def run(data: Data) -> list[Row]:
    rows = _rows("identity copy", data.labels, data, "uint64", lambda block: block)
    binarize = BinarizeArrayConfig(
        name="mito", source_array_config=data.labels, groupings=[("mito", MITO_IDS)]
    )
    try:
        binarize.create_array()
    except NotImplementedError as err:
        return [*rows, Row("write binarized (blockwise, daisy)", 0.0, note=f"not run: {err}")]
    mask = lambda block: np.isin(block, MITO_IDS).astype(np.uint8)  # noqa: E731
    rows += _rows("binarized", binarize, data, "uint8", mask)
    if os.environ.get("BENCH_WRITE_LARGE", "1") == "0":
        return rows
    large = make_large_labels(data)
    binarize_large = BinarizeArrayConfig(
        name="mito", source_array_config=large, groupings=[("mito", MITO_IDS)]
    )
    side = 2 * data.side
    return rows + _rows(
        f"binarized {side}³", binarize_large, data, "uint8", mask, large, LARGE_WORKERS
    )
