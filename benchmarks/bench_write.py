"""The blockwise writer against a hand-written tensorstore loop, on the same volume, same run.

Small writes (512³ uint64 labels, 64³ chunks, 128³ blocks, 2 workers): the ``dacapo-arrays
write`` CLI end to end (a fresh process: start-up, imports, plan, blocks; small writes run
in process) beside the reference, a fresh process running a plain tensorstore loop with
blocks in flight that reads the same blocks, computes them with the best hand-written kernel
(``==`` per id for a few ids) and writes the same bytes. Rows: an identity copy and a
binarized volume. Passes are interleaved; rows give medians and the spread. The loop is timed
without its start-up (the strict reference) and with it (in the note). Memory: peak RSS of
the whole write (one process when it runs in process) against the loop's.

Large write (``BENCH_WRITE_LARGE=0`` skips it): the binarized write of a 1024³ labels volume
tiled from the 512³ one (made once) through ``write`` on 2 worker processes, against the
same loop run in this process.

Lines printed last: ``small-write-ratio: R`` (the loop's median seconds over the CLI's, for
the binarized 512³ write; >= 0.8 is the target), ``small-write-rss-ratio: R`` (the write's
peak RSS over the loop's; <= 2 is the target), ``large-write-ratio: R`` (>= 1.1), and two
readings without a target: ``small-write-with-startup-ratio`` (the loop timed with its own
start-up, as the CLI is) and ``small-write-cpu-ratio`` (CPU seconds of each process, start-up
included; on a machine shared with other jobs it counts waiting for a core much less than
wall time does).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
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

from benchmarks.harness import CHUNK, Data, Row, Timing, make_large_labels, median_text
from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayIdentifier,
    BinarizeArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)

WORKERS = 2
MITO_IDS = [3, 4, 5, 17]
LARGE_WORKERS = 2
PASSES = int(os.environ.get("BENCH_WRITE_PASSES", "5"))
RATIOS: list[str] = []
CLI = [sys.executable, "-m", "dacapo_arrays.cli"]

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

#: Runs a command, then prints its wall seconds, the peak RSS of its largest process and the
#: CPU seconds (user + system) of all its processes.
MEASURE = textwrap.dedent(
    """
    import json, resource, subprocess, sys, time
    start = time.perf_counter()
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.exit(done.stderr)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(json.dumps({"seconds": seconds, "peak_kb": usage.ru_maxrss, "stdout": done.stdout,
                      "cpu": usage.ru_utime + usage.ru_stime}))
    """
)

#: The reference in a fresh process: open, loop, report the loop's seconds (stdout JSON).
LOOP = textwrap.dedent(
    """
    import json, sys, time
    from collections import deque
    import numpy as np
    import tensorstore as ts

    source, target, ids, side, chunk, depth = json.loads(sys.argv[1])
    context = ts.Context({"file_io_sync": False})
    src = ts.open({"driver": "zarr", "kvstore": f"file://{source}/"}, context=context).result()
    dtype = "|u1" if ids else src.dtype.numpy_dtype.str
    spec = {"driver": "zarr", "kvstore": f"file://{target}/", "metadata": {
        "shape": [side] * 3, "chunks": [chunk] * 3, "dtype": dtype,
        "compressor": {"id": "blosc", "cname": "lz4", "clevel": 5, "shuffle": 1},
        "dimension_separator": "/"}}
    dst = ts.open(spec, create=True, delete_existing=True, context=context).result()

    def compute(block):
        if not ids:
            return block
        out = block == ids[0]
        for i in ids[1:]:
            out |= block == i
        return out.view(np.uint8)

    start = time.perf_counter()
    blocks = [(slice(z, z + 2 * chunk), slice(y, y + 2 * chunk), slice(x, x + 2 * chunk))
              for z in range(0, side, 2 * chunk) for y in range(0, side, 2 * chunk)
              for x in range(0, side, 2 * chunk)]
    reads, writes = deque(), deque()
    for index in blocks:
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
    print(json.dumps({"loop_seconds": time.perf_counter() - start}))
    """
)


def _measure(command: list[str]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", MEASURE, *command],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _small(name: str, config: ArrayConfig, data: Data, ids: list[int]) -> list[Row]:
    """The CLI write of ``config`` beside the loop in a fresh process, ``PASSES`` passes."""
    scratch = data.folder / f"bench_write-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    config_file = scratch / f"{name}.yaml"
    config.to_file(config_file)
    output = scratch / f"{name}.zarr"
    source = f"{data.labels.file_name}/{data.labels.dataset}"
    loop_args = json.dumps([source, str(scratch / "loop.zarr"), ids, data.side, CHUNK,
                            4 * WORKERS])  # fmt: skip
    cli = [*CLI, "write", str(config_file), str(output), "--chunk-shape", f"{CHUNK},{CHUNK},"
           f"{CHUNK}", "--workers", str(WORKERS), "--no-progress", "--overwrite"]  # fmt: skip
    loop = [sys.executable, "-c", LOOP, loop_args]
    ours: list[dict[str, Any]] = []
    theirs: list[dict[str, Any]] = []
    for k in range(PASSES + 1):  # the first pass warms the page cache; not counted
        pair = [(cli, ours), (loop, theirs)]
        for command, into in pair if k % 2 else pair[::-1]:
            measured = _measure(command)
            if k:
                into.append(measured)
    shutil.rmtree(scratch, ignore_errors=True)
    nbytes = data.side**3 * 8
    cli_timing = Timing(tuple(m["seconds"] for m in ours))
    loop_timing = Timing(tuple(json.loads(m["stdout"])["loop_seconds"] for m in theirs))
    loop_total = Timing(tuple(m["seconds"] for m in theirs))
    rss_ours = [m["peak_kb"] / 1024 for m in ours]
    rss_loop = [m["peak_kb"] / 1024 for m in theirs]
    rss_ratio = statistics.median(rss_ours) / statistics.median(rss_loop)
    ratio = cli_timing.over(loop_timing)
    cpu_ours, cpu_loop = (
        Timing(tuple(m["cpu"] for m in ours)),
        Timing(tuple(m["cpu"] for m in theirs)),
    )
    note = (
        f"CLI end to end {cli_timing.text()}; loop {loop_timing.text()}, with its start-up "
        f"{loop_total.text()} ({cli_timing.over(loop_total):.2f}x); CPU seconds, both with "
        f"start-up: {cpu_ours.text()} vs {cpu_loop.text()}; peak RSS "
        f"{median_text(rss_ours, ' MiB', 0)} vs loop's {median_text(rss_loop, ' MiB', 0)} "
        f"({rss_ratio:.2f}x); {PASSES} passes"
    )
    if ids:
        RATIOS.append(f"small-write-ratio: {ratio:.2f}")
        RATIOS.append(f"small-write-rss-ratio: {rss_ratio:.2f}")
        RATIOS.append(f"small-write-with-startup-ratio: {cli_timing.over(loop_total):.2f}")
        RATIOS.append(f"small-write-cpu-ratio: {cpu_ours.over(cpu_loop):.2f}")
    return [
        cli_timing.row(f"write {name} {data.side}³ (CLI, end to end)", nbytes,
                       (ratio, f"tensorstore loop {name}"), note),
        loop_timing.row(f"  tensorstore loop {name} (fresh process, loop only)", nbytes),
    ]  # fmt: skip


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


def _large(config: ArrayConfig, labels: ZarrArrayConfig, dtype: str, passes: int = 3) -> list[Row]:
    """The writer (worker processes) and the loop in this process, ``passes`` times."""
    source = ZarrArray.open_from_array_identifier(
        ArrayIdentifier(labels.file_name, labels.dataset)
    )
    nbytes = int(np.prod(source.shape)) * source.dtype.itemsize
    scratch = Path(str(labels.file_name)).parent / f"bench_write-{os.getpid()}"
    ours, theirs, main_kb, worker_kb = [], [], [], []
    for k in range(passes):
        for which in ("writer", "loop") if k % 2 else ("loop", "writer"):
            if which == "writer":
                writer = _run_writer(config, scratch / "large.zarr", LARGE_WORKERS)
                ours.append(writer["seconds"])
                main_kb.append(writer["main_kb"])
                worker_kb.append(writer["worker_kb"])
            else:
                theirs.append(_raw_tensorstore(source, scratch / "large-raw.zarr", dtype,
                                               _mask, LARGE_WORKERS))  # fmt: skip
    shutil.rmtree(scratch, ignore_errors=True)
    writer_timing, loop_timing = Timing(tuple(ours)), Timing(tuple(theirs))
    ratio = writer_timing.over(loop_timing)
    RATIOS.append(f"large-write-ratio: {ratio:.2f}")
    note = (
        f"{source.shape[0]}³ uint64 labels ({nbytes / 1e9:.2f} GB) -> {dtype}, "
        f"{LARGE_WORKERS} worker processes, {CHUNK}³ chunks; {writer_timing.text()} vs "
        f"{loop_timing.text()}; peak RSS main {statistics.median(main_kb) / 1024:.0f} MiB, "
        f"largest worker {statistics.median(worker_kb) / 1024:.0f} MiB; {passes} passes"
    )
    return [
        writer_timing.row(f"write binarized {source.shape[0]}³ (workers)", nbytes,
                          (ratio, "tensorstore loop, == kernel"), note),
        loop_timing.row("  tensorstore loop (in this process)", nbytes),
    ]  # fmt: skip


PYRAMID_WRITER = textwrap.dedent(
    """
    import json, resource, sys
    from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, ArrayIdentifier
    from dacapo_arrays.blockwise import write

    def cpu():
        usage = [resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
        return sum(u.ru_utime + u.ru_stime for u in usage)

    if __name__ == "__main__":
        config = ArrayConfig.from_dict(json.loads(sys.argv[1]))
        before = cpu()
        result = write(config, ArrayIdentifier(sys.argv[2], "out"), workers=int(sys.argv[3]),
                       chunk_shape=(int(sys.argv[4]),) * 3, pyramid_levels=2, overwrite=True,
                       progress=False)
        levels = [[lv.blocks, lv.seconds] for lv in result.levels]
        print(json.dumps({"levels": levels, "cpu": cpu() - before}))
    """
)


def _pyramid_writer(config: ArrayConfig, output: Path) -> tuple[list[list[float]], float]:
    """``write --pyramid 2`` in a fresh process: (blocks, seconds) of s0, s1, s2, and the CPU
    seconds of the write (its process and its workers, planning included)."""
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(f"{output}.blocks", ignore_errors=True)
    args = [sys.executable, "-c", PYRAMID_WRITER, json.dumps(config.to_dict()), str(output),
            str(WORKERS), str(CHUNK)]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return found["levels"], float(found["cpu"])


def _cpu_seconds() -> float:
    """CPU seconds of this process so far (every thread, user and system)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _pyramid_loop(source: ZarrArray, output: Path) -> list[float]:
    """s0 (the mask) then s1, s2 (2x mode of the level below) with plain tensorstore, one
    chunk per task on ``WORKERS`` threads: seconds per level."""
    from concurrent.futures import ThreadPoolExecutor

    from dacapo_arrays.blockwise.downsample import downsample_mode

    shutil.rmtree(output, ignore_errors=True)
    below, seconds = source.tensorstore, []
    for k in range(3):
        voxel = source.voxel_size * 2**k
        roi = source.roi.snap_to_grid(voxel, mode="shrink")
        level = ZarrArray.create_from_array_identifier(
            ArrayIdentifier(output, f"out/s{k}"), source.axes, roi, None, voxel, "uint8",
            write_size=voxel * CHUNK,
        ).tensorstore  # fmt: skip

        def one(index: tuple[slice, ...], k: int = k, below: Any = below, level: Any = level):
            if k == 0:
                data = _mask(below[index].read().result())
            else:
                wide = tuple(slice(2 * i.start, 2 * i.stop) for i in index)
                data = downsample_mode(below[wide].read().result(), 3)
            level[index].write(data).result()

        start = time.perf_counter()
        with ThreadPoolExecutor(WORKERS) as pool:
            list(pool.map(one, _blocks(roi, voxel)))
        seconds.append(time.perf_counter() - start)
        below = level
    return seconds


def _pyramid(config: ArrayConfig, labels: ZarrArrayConfig, passes: int = 3) -> list[Row]:
    """The binarized write with levels s0..s2 beside the same levels from a tensorstore loop."""
    source = ZarrArray.open_from_array_identifier(
        ArrayIdentifier(labels.file_name, labels.dataset)
    )
    nbytes = int(np.prod(source.shape)) * source.dtype.itemsize
    scratch = Path(str(labels.file_name)).parent / f"bench_write-{os.getpid()}"
    ours, theirs, ours_cpu, theirs_cpu = [], [], [], []
    for k in range(passes):
        for which in ("writer", "loop") if k % 2 else ("loop", "writer"):
            if which == "writer":
                levels, cpu = _pyramid_writer(config, scratch / "pyramid.zarr")
                ours.append(levels)
                ours_cpu.append(cpu)
            else:
                before = _cpu_seconds()
                theirs.append(_pyramid_loop(source, scratch / "pyramid-raw.zarr"))
                theirs_cpu.append(_cpu_seconds() - before)
    shutil.rmtree(scratch, ignore_errors=True)
    writer = Timing(tuple(sum(s for _, s in levels) for levels in ours))
    loop = Timing(tuple(sum(levels) for levels in theirs))
    per_level = ", ".join(
        f"s{k}: {int(ours[0][k][0])} blocks {statistics.median(p[k][1] for p in ours):.2f} s "
        f"vs {statistics.median(p[k] for p in theirs):.2f} s"
        for k in range(3)
    )
    side = source.shape[0]
    note = (
        f"{side}³ uint64 labels -> binarized s0..s2 (mode), {WORKERS} workers, {CHUNK}³ "
        f"chunks; levels' own seconds (the writer's start-up not included), ours vs loop: "
        f"{per_level}; {writer.text()} vs {loop.text()}; CPU seconds (load-independent; "
        f"ours with planning) {statistics.median(ours_cpu):.2f} vs "
        f"{statistics.median(theirs_cpu):.2f}; {passes} passes"
    )
    return [
        writer.row(f"write binarized {side}³ --pyramid 2", nbytes,
                   (writer.over(loop), "tensorstore loop, same levels"), note),
        loop.row(f"  tensorstore loop s0..s2 {side}³ ({WORKERS} threads)", nbytes),
    ]  # fmt: skip


def _mask(block: np.ndarray) -> np.ndarray:
    """The hand-written kernel: ``==`` per id (few ids), OR-ed in place, viewed as uint8."""
    out = block == MITO_IDS[0]
    for i in MITO_IDS[1:]:
        out |= block == i
    return out.view(np.uint8)


def run(data: Data) -> list[Row]:
    RATIOS.clear()
    rows = _small("identity copy", data.labels, data, [])
    binarize = BinarizeArrayConfig(
        name="mito", source_array_config=data.labels, groupings=[("mito", MITO_IDS)]
    )
    rows += _small("binarized", binarize, data, MITO_IDS)
    rows += _pyramid(binarize, data.labels)
    if os.environ.get("BENCH_WRITE_LARGE", "1") == "0":
        return rows
    large = make_large_labels(data)
    binarize_large = BinarizeArrayConfig(
        name="mito", source_array_config=large, groupings=[("mito", MITO_IDS)]
    )
    return rows + _large(binarize_large, large, "uint8") + _pyramid(binarize_large, large)
