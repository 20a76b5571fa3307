"""The benchmark harness: synthetic data made once, rows timed, one table printed.

A benchmark module ``benchmarks/bench_<topic>.py`` defines ``run(data: Data) -> list[Row]``
and may fill a module-level ``RATIOS`` list with ``NAME-ratio: R`` lines (printed last).
Each row states its median throughput over interleaved passes, the spread over those passes
(slowest-fastest), and, where it has one, its ratio of medians to the reference measured in
the same passes (the raw IO ceiling, the best hand-written kernel, or a peer).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import numpy as np
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    ZarrArray,
    ZarrArrayConfig,
)

DATA_DIR = Path(__file__).parent / "data"
SIDE = 512
CHUNK = 64
VOXEL = Coordinate(8, 8, 8)


@attrs.frozen
class Row:
    name: str
    #: The median over passes.
    megabytes_per_second: float
    #: (ratio, "what it is relative to"), e.g. (0.97, "raw tensorstore"); ratio of medians.
    ratio: tuple[float, str] | None = None
    note: str = ""
    #: (slowest, fastest) MB/s over the passes.
    spread: tuple[float, float] | None = None


@attrs.frozen
class Timing:
    """Seconds of each pass of one contender."""

    seconds: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def row(self, name: str, nbytes: int, ratio: tuple[float, str] | None = None,
            note: str = "") -> Row:  # fmt: skip
        """A row for this timing: median MB/s, its spread, ``ratio`` and ``note``."""
        spread = (mbps(nbytes, max(self.seconds)), mbps(nbytes, min(self.seconds)))
        return Row(name, mbps(nbytes, self.median), ratio, note, spread)

    def over(self, other: Timing) -> float:
        """How many times faster this is than ``other`` (ratio of medians, >1: faster)."""
        return other.median / self.median

    def text(self) -> str:
        """``0.84 s (0.80-0.91)``: the median and the spread."""
        return f"{self.median:.2f} s ({min(self.seconds):.2f}-{max(self.seconds):.2f})"


def interleaved(
    contenders: dict[str, Callable[[], object]], passes: int = 5, *, warm_up: bool = True
) -> dict[str, Timing]:
    """Each contender timed ``passes`` times, interleaved: pass ``k`` runs them all, in an
    order rotated by ``k``, so load from elsewhere on a shared machine and whoever leaves
    the allocator or the page cache in a state falls on every contender alike."""
    if warm_up:
        for function in contenders.values():
            function()
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for k in range(passes):
        shift = k % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - start)
    return {name: Timing(tuple(seconds)) for name, seconds in times.items()}


def median_text(values: Sequence[float], unit: str = "", digits: int = 2) -> str:
    """``1.23 (1.10-1.40)``: the median of ``values`` and their range."""
    return (
        f"{statistics.median(values):.{digits}f}{unit} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


@attrs.frozen
class Data:
    """The synthetic volumes: 512³ uint8 raw and uint64 labels, 64³ chunks, blosc."""

    folder: Path
    raw: ZarrArrayConfig
    labels: ZarrArrayConfig
    side: int = SIDE


def mbps(nbytes: int, seconds: float) -> float:
    return nbytes / seconds / 1e6


def random_rois(roi: Roi, shape: Coordinate, count: int, seed: int = 0) -> list[Roi]:
    """Chunk-unaligned, voxel-aligned ROIs of ``shape`` (world units) inside ``roi``."""
    rng = np.random.default_rng(seed)
    rois = []
    for _ in range(count):
        begin = [
            b + int(rng.integers(0, (s - w) // v + 1)) * v
            for b, s, w, v in zip(roi.begin, roi.shape, shape, VOXEL, strict=True)
        ]
        rois.append(Roi(begin, shape))
    return rois


def _volume(kind: str, side: int) -> np.ndarray:
    z, y, x = np.ogrid[:side, :side, :side]
    if kind == "raw":  # smooth EM-like texture plus noise: compresses like real data
        rng = np.random.default_rng(0)
        base = 128 + 60 * np.sin(z / 9.0) * np.cos(y / 7.0) + 40 * np.sin(x / 5.0)
        return (base + rng.normal(0, 12, (side, side, side))).clip(0, 255).astype(np.uint8)
    # labels: blocky "organelles", ids 0..40
    return ((z // 24 * 7 + y // 32 * 3 + x // 40) % 41).astype(np.uint64)


def make_data(folder: Path = DATA_DIR, side: int = SIDE) -> Data:
    """Create the volumes once (kept in ``benchmarks/data``); reuse them afterwards."""
    container = folder / f"synthetic-{side}.zarr"
    configs = {}
    for kind in ("raw", "labels"):
        identifier = ArrayIdentifier(container, kind)
        config = ZarrArrayConfig(name=kind, file_name=container, dataset=kind)
        configs[kind] = config
        done = container / kind / ".complete"
        if done.exists():
            continue
        array = ZarrArray.create_from_array_identifier(
            identifier,
            ["z", "y", "x"],
            Roi((0, 0, 0), VOXEL * side),
            None,
            VOXEL,
            "uint8" if kind == "raw" else "uint64",
            write_size=VOXEL * CHUNK,
            name=kind,
            overwrite=True,
        )
        array[array.roi] = _volume(kind, side)
        done.write_text("ok\n")
    return Data(folder, configs["raw"], configs["labels"], side)


def make_large_labels(data: Data, factor: int = 2) -> ZarrArrayConfig:
    """Once: uint64 labels ``factor`` times the side of ``data``'s, tiled from them.

    Each source chunk row (``CHUNK`` z x ``CHUNK`` y x side x) is read once and written into
    every tile (8 octants for ``factor=2``) with tensorstore, a few rows in flight, so memory
    stays a few chunk rows however large the volume. Kept in ``synthetic-<side>.zarr``.
    """
    side = data.side * factor
    container = data.folder / f"synthetic-{side}.zarr"
    config = ZarrArrayConfig(name="labels", file_name=container, dataset="labels")
    done = container / "labels" / ".complete"
    if done.exists():
        return config
    source = ZarrArray.open_from_array_identifier(
        ArrayIdentifier(data.labels.file_name, data.labels.dataset)
    )
    target = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(container, "labels"), ["z", "y", "x"], Roi((0, 0, 0), VOXEL * side),
        None, VOXEL, "uint64", write_size=VOXEL * CHUNK, name="labels", overwrite=True,
    )  # fmt: skip
    src, dst, n = source.tensorstore, target.tensorstore, data.side
    writes: list[object] = []
    for z in range(0, n, CHUNK):
        for y in range(0, n, CHUNK):
            block = src[z : z + CHUNK, y : y + CHUNK, :].read().result()
            for tz, ty, tx in np.ndindex(factor, factor, factor):
                z0, y0, x0 = tz * n + z, ty * n + y, tx * n
                where = dst[z0 : z0 + CHUNK, y0 : y0 + CHUNK, x0 : x0 + n]
                writes.append(where.write(block))
            while len(writes) > 4 * factor**3:
                writes.pop(0).result()  # type: ignore[attr-defined]
    for write in writes:
        write.result()  # type: ignore[attr-defined]
    done.write_text("ok\n")
    return config


def print_table(rows: list[Row]) -> None:
    """Median MB/s, the spread over passes (slowest-fastest), the ratio of medians."""
    width = max(len(r.name) for r in rows)
    print(f"{'benchmark':<{width}}  {'MB/s':>9}  {'spread':>13}  ratio")
    print("-" * (width + 56))
    for r in rows:
        ratio = f"{r.ratio[0]:.2f}x {r.ratio[1]}" if r.ratio else ""
        note = f"  ({r.note})" if r.note else ""
        spread = f"{r.spread[0]:.0f}-{r.spread[1]:.0f}" if r.spread else ""
        print(f"{r.name:<{width}}  {r.megabytes_per_second:>9.1f}  {spread:>13}  {ratio}{note}")
