"""Training samples: ``Sampler`` beside the raw ceiling, cellmap-data and DaCapo's gunpowder way.

CellMap-shaped synthetic data (made once in ``benchmarks/data/cellmap-like.zarr``): raw EM
320³ uint8 at 8 nm with a 2x pyramid (OME-NGFF), uint64 labels 320³ at 4 nm in a crop at the
centre with fibsem-tools annotation metadata, three classes. A sample is raw 216³ at 8 nm plus
three binarized classes 108³ at 8 nm (labels resampled from 4 nm, nearest) plus their
missing-annotations mask (3 x 108³); batch 2. Rows, timed over interleaved passes (median,
spread slowest-fastest):

* ceiling: the windows the Sampler reads, read with raw tensorstore, all in flight (the
  labels with strides: nearest 4 -> 8 nm keeps voxel 1 of every 2 per axis), and the same
  numpy computation written by hand (``==`` per id, ``> 0``) on 2 threads as reads complete;
* ceiling, kept: the same with tensorstore's own chunk cache (a ``cache_pool`` of the
  Sampler's budget), the best a raw reader keeps between samples;
* ceiling at the Sampler's prefetch: the same with at most ``prefetch`` (4) samples in
  flight, as the Sampler keeps them. With all 12 in flight, the reads of overlapping windows
  share more of their chunks' decoding (tensorstore decodes a chunk once for the reads
  waiting on it): that holds 12 samples' memory and saves 3-6 ms of CPU per sample here,
  depending on the order the reads are issued in;
* ``Sampler`` in this process, as it comes: the dataset fits its ``cache`` (1 GiB), so it is
  kept in memory (``dacapo_arrays.sampling.cache``) and each window after the first reads
  is a copy; its note gives how long its first samples (reading what it keeps) took;
* ``Sampler(cache=0)``: every window read from the arrays, like the ceiling, at the default
  ``prefetch=4`` and at ``prefetch=12``, all of a pass in flight as in the ceiling;
* ``SampleStream`` in a DataLoader with 2 spawned workers (in the ``.venv-torch`` venv that
  ``.ci/run`` builds; skipped, with the reason, when there is none), beside the same
  DataLoader passing constant tensors of a sample's shapes (``torch_constant.py``): what
  the DataLoader itself costs (collating into shared memory, passing batches);
* the Sampler on the arrays cellmap-data reads (the raw and one 0/1 group per class, written
  once from the same labels), for a comparison on the same bytes;
* cellmap-data's ``CellMapDataset`` (``CELLMAP_PINS``) in its own venv
  (``benchmarks/.envs/cellmap``, built once with ``python3 -m venv`` + pip), as a subprocess
  (``cellmap_peer.py``) timed in the same interleaved passes; its row says why when it cannot
  run here;
* gunpowder with ``SamplerSource``: the Sampler (kept) as the pipeline's one source node;
* DaCapo's way: gunpowder 1.4, one source node per array (each ``array[roi]`` one at a time,
  as DaCapo 0.3's ``DaCapoArraySource``) + ``MergeProvider`` + ``RandomLocation``.

Every row also gives its CPU milliseconds per sample (all threads of its process): the work,
which the load of a shared machine changes less than the samples/s. The last lines are
``sampling-kept-ratio``, the Sampler's samples/s over the kept ceiling's, and
``sampling-same-depth-ratio``: ``Sampler(cache=0)`` over the ceiling, both with at most 4
samples in flight, and last ``sampling-ratio: R``, like for like without keeping:
``Sampler(cache=0, prefetch=12)`` over the ceiling, both with all 12 samples in flight.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
from funlib.geometry import Coordinate, Roi

from benchmarks.harness import DATA_DIR, Data, Row, interleaved
from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    BinarizeArrayConfig,
    MissingAnnotationsMaskConfig,
    ResampledArrayConfig,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo_arrays.sampling import Sampler

#: cellmap-data's venv: torch 2.14.1 + torchvision 0.29.1 (pip takes both from this machine's
#: disk; PyPI's torchvision does not import beside the CPU torch 2.13.0 of .ci/run).
CELLMAP_PINS = ("torch==2.14.1", "torchvision==0.29.1", "cellmap-data==2026.3.20.1935")
RAW_SIDE, LABEL_SIDE, CHUNK = 320, 320, 64
RAW_VOXEL, LABEL_VOXEL = Coordinate(8, 8, 8), Coordinate(4, 4, 4)
CROP_BEGIN = Coordinate(640, 640, 640)  # the crop (1280 nm) at the centre of the raw (2560 nm)
GROUPS = [("mito", [1, 2]), ("er", [3]), ("nucleus", [4, 5])]
CLASS_GROUPS = "recon-1/labels/crop1"  # + /<class>/s0: the classes as cellmap-data reads them
SHAPES = {"raw": (216, 216, 216), "gt": (108, 108, 108), "mask": (108, 108, 108)}
SAMPLES = 12  # per pass: 6 batches of 2
PASSES = 5
RATIOS: list[str] = []
HERE = Path(__file__).resolve().parent
CELLMAP_ENV = HERE / ".envs" / "cellmap"  # git-ignored; built on first run (about 6 GB)
SAMPLE_BYTES = 216**3 + 2 * 3 * 108**3  # what a sample of the Sampler hands out (uint8)


def _store(container: Path, dataset: str, data: np.ndarray, roi: Roi, voxel: Coordinate) -> None:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(container, dataset),
        ["z", "y", "x"],
        roi,
        None,
        voxel,
        data.dtype,
        write_size=voxel * CHUNK,
        name=dataset,
        overwrite=True,
    )
    array[roi] = data


def make_cellmap_like(folder: Path = DATA_DIR) -> dict[str, ZarrArrayConfig]:
    """Once: the raw (and its 16 nm level) and the labelled crop; their configs."""
    container = folder / "cellmap-like.zarr"
    raw_dataset, labels_dataset = "recon-1/em/fibsem-uint8", "recon-1/labels/crop1/all"
    done = container / ".complete"
    if not done.exists():
        z, y, x = np.ogrid[:RAW_SIDE, :RAW_SIDE, :RAW_SIDE]
        noise = np.random.default_rng(0).normal(0, 12, (RAW_SIDE,) * 3)
        raw = 128 + 60 * np.sin(z / 9) * np.cos(y / 7) + 40 * np.sin(x / 5) + noise
        raw = raw.clip(0, 255).astype(np.uint8)
        _store(container, f"{raw_dataset}/s0", raw, Roi((0,) * 3, RAW_VOXEL * RAW_SIDE), RAW_VOXEL)
        half = raw.reshape(RAW_SIDE // 2, 2, RAW_SIDE // 2, 2, RAW_SIDE // 2, 2).mean((1, 3, 5))
        _store(
            container,
            f"{raw_dataset}/s1",
            half.astype(np.uint8),
            Roi((0,) * 3, RAW_VOXEL * RAW_SIDE),
            RAW_VOXEL * 2,
        )
        z, y, x = np.ogrid[:LABEL_SIDE, :LABEL_SIDE, :LABEL_SIDE]
        labels = ((z // 24 * 7 + y // 32 * 3 + x // 40) % 7).astype(np.uint64)  # 0: unknown
        crop = Roi(CROP_BEGIN, LABEL_VOXEL * LABEL_SIDE)
        _store(container, f"{labels_dataset}/s0", labels, crop, LABEL_VOXEL)
        stored = ZarrArray.open_from_array_identifier(
            ArrayIdentifier(container, f"{labels_dataset}/s0")
        )
        state = {"present": True, "annotated": "dense"}
        stored.add_metadata(
            {"labels": [{"value": i, "annotationState": state} for i in range(1, 7)]}
        )
        done.write_text("ok\n")
    classes_done = container / ".complete-classes"
    if not classes_done.exists():  # cellmap-data's layout: one 0/1 label group per class
        ids = ZarrArray.open_from_array_identifier(
            ArrayIdentifier(container, f"{labels_dataset}/s0")
        )
        everything = ids[ids.roi]
        for name, values in GROUPS:
            mask = np.isin(everything, values).astype(np.uint8)
            _store(container, f"{CLASS_GROUPS}/{name}/s0", mask, ids.roi, LABEL_VOXEL)
        classes_done.write_text("ok\n")
    labels = ZarrArrayConfig(name="labels", file_name=container, dataset=f"{labels_dataset}/s0")
    at_8nm = ResampledArrayConfig(
        name="labels_8nm",
        source_array_config=labels,
        upsample=Coordinate(1, 1, 1),
        downsample=Coordinate(2, 2, 2),
        interp_order=0,
    )
    return {
        "raw": ZarrArrayConfig(name="raw", file_name=container, dataset=f"{raw_dataset}/s0"),
        "labels": labels,
        "gt": BinarizeArrayConfig(name="gt", source_array_config=at_8nm, groupings=GROUPS),
        "mask": MissingAnnotationsMaskConfig(
            name="mask", source_array_config=at_8nm, groupings=GROUPS
        ),
    }


def _sampler(configs: dict[str, ZarrArrayConfig], **options: object) -> Sampler:
    dataset = {name: configs[name] for name in SHAPES}
    return Sampler([dataset], SHAPES, seed=0, **options)  # type: ignore[arg-type]


def _sampler_on_class_groups(configs: dict[str, ZarrArrayConfig], **options: object) -> Sampler:
    """The arrays cellmap-data reads: the raw and each class's 0/1 group, resampled to 8 nm."""
    container = configs["raw"].file_name
    dataset: dict[str, object] = {"raw": configs["raw"]}
    shapes = {"raw": SHAPES["raw"]}
    for name, _ in GROUPS:
        stored = ZarrArrayConfig(
            name=name, file_name=container, dataset=f"{CLASS_GROUPS}/{name}/s0"
        )
        dataset[name] = ResampledArrayConfig(
            name=f"{name}_8nm",
            source_array_config=stored,
            upsample=Coordinate(1, 1, 1),
            downsample=Coordinate(2, 2, 2),
            interp_order=0,
        )
        shapes[name] = SHAPES["gt"]
    return Sampler([dataset], shapes, seed=0, **options)  # type: ignore[list-item,arg-type]


def _ceiling(
    configs: dict[str, ZarrArrayConfig],
    sampler: Sampler,
    cache: int = 0,
    in_flight: int | None = None,
) -> object:
    """The windows ``sampler.take(SAMPLES)`` reads, read with raw tensorstore (all in flight)
    + numpy; with ``cache``, tensorstore keeps up to that many bytes of decoded chunks; with
    ``in_flight``, at most that many samples are in flight (as ``Sampler(prefetch=...)``)."""
    import tensorstore as ts

    raw = configs["raw"].to_array()
    labels = configs["labels"].to_array()
    raw_ts, labels_ts = raw.tensorstore, labels.tensorstore  # type: ignore[attr-defined]
    if cache:
        context = ts.Context({"cache_pool": {"total_bytes_limit": cache}})
        raw_ts, labels_ts = (
            ts.open(handle.spec(), read=True, context=context).result()
            for handle in (raw_ts, labels_ts)
        )
    windows = sampler.windows[0]
    draws = sampler.draws(SAMPLES)  # the stream take() draws from: the same windows
    raw_slices = [raw._slices(windows.window("raw", d.point)) for d in draws]
    label_rois = [windows.window("gt", d.point) for d in draws]
    # nearest 4 -> 8 nm: only voxel 1 of every 2 per axis, read with tensorstore's strides
    label_slices = [labels._strided(roi, Coordinate(2, 2, 2)) for roi in label_rois]
    threads = ThreadPoolExecutor(2)

    def compute(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        at_8nm = ids.astype(np.uint8)  # ids < 256: the fastest comparisons by hand here
        gt = np.zeros((len(GROUPS), *at_8nm.shape), np.uint8)
        for channel, (_, values) in enumerate(GROUPS):
            for value in values:
                gt[channel] |= at_8nm == value
        annotated = (at_8nm > 0).view(np.uint8)
        return gt, np.broadcast_to(annotated, gt.shape).copy()

    def run() -> None:
        raws = [raw_ts[s].read() for s in raw_slices]
        reads = [labels_ts[s].read() for s in label_slices]
        computed: list[Future[tuple[np.ndarray, np.ndarray]]] = []
        for read in reads:
            computed.append(threads.submit(compute, read.result()))
        for r in raws:
            r.result()
        for c in computed:
            c.result()

    def start(i: int) -> tuple[Any, Future[object]]:
        """Sample ``i``'s reads; its computation starts as soon as its labels arrive."""
        raw_read, computed = raw_ts[raw_slices[i]].read(), Future[object]()

        def labels_arrived(read: Any) -> None:
            try:
                threads.submit(compute, read.result()).add_done_callback(
                    lambda done: computed.set_result(done.result())
                )
            except Exception as err:  # handed to the waiting side
                computed.set_exception(err)

        labels_ts[label_slices[i]].read().add_done_callback(labels_arrived)
        return raw_read, computed

    def run_rolling() -> None:  # like Sampler.take: at most ``in_flight`` samples at once
        pending: deque[tuple[Any, Future[object]]] = deque()
        for i in range(SAMPLES):
            if len(pending) == in_flight:
                raw_read, computed = pending.popleft()
                raw_read.result()
                computed.result()
            pending.append(start(i))
        for raw_read, computed in pending:
            raw_read.result()
            computed.result()

    return run if in_flight is None else run_rolling


class _DaCapoSource:
    """A gunpowder source like DaCapo 0.3's ``DaCapoArraySource``: ``array[roi]`` per request."""

    def __new__(cls, key: object, array: object) -> object:
        import gunpowder as gp

        class Source(gp.BatchProvider):  # type: ignore[misc]
            def setup(self) -> None:
                spec = gp.ArraySpec(
                    roi=array.roi,
                    voxel_size=array.voxel_size,  # type: ignore[attr-defined]
                    dtype=array.dtype,
                    interpolatable=False,
                )  # type: ignore[attr-defined]
                self.provides(key, spec)

            def provide(self, request: gp.BatchRequest) -> gp.Batch:
                batch = gp.Batch()
                roi = request[key].roi
                spec = self.spec[key].copy()
                spec.roi = roi
                batch[key] = gp.Array(array[roi], spec)  # type: ignore[index]
                return batch

        return Source()


def _gunpowder(configs: dict[str, ZarrArrayConfig]) -> object:
    import gunpowder as gp

    keys = {name: gp.ArrayKey(name.upper()) for name in SHAPES}
    arrays = {name: configs[name].to_array() for name in SHAPES}
    sources = tuple(_DaCapoSource(keys[n], arrays[n]) for n in SHAPES)
    pipeline = sources + gp.MergeProvider() + gp.RandomLocation()
    request = gp.BatchRequest()
    for name, shape in SHAPES.items():
        world = arrays[name].voxel_size * Coordinate(shape)
        request.add(keys[name], world)  # centred on the same point: shapes are equal-centred
    built = gp.build(pipeline)
    built.__enter__()

    def run() -> None:
        for _ in range(SAMPLES):
            pipeline.request_batch(request)

    return run


def _gunpowder_sampler_source(sampler: Sampler) -> object:
    """The Sampler in a gunpowder pipeline: ``SamplerSource`` (``dacapo_arrays.sampling``)."""
    import gunpowder as gp

    from dacapo_arrays.sampling.gunpowder import SamplerSource

    source = SamplerSource(sampler, {name: gp.ArrayKey(name.upper()) for name in SHAPES})
    request = source.request()
    built = gp.build(source)
    built.__enter__()

    def run() -> None:
        for _ in range(SAMPLES):
            source.request_batch(request)

    return run


def _in_torch_venv(mode: str) -> tuple[float, str] | str:
    """``(samples/s, note)`` measured by ``python -m benchmarks.bench_sampling MODE`` in the
    torch venv, or why it could not run."""
    python = HERE.parent / ".venv-torch" / "bin" / "python"
    if not python.exists():
        return f"no {python.parent.parent.name} venv (made by .ci/run: torch 2.13.0 CPU)"
    done = subprocess.run(
        [str(python), "-m", "benchmarks.bench_sampling", mode],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    last = (done.stdout.strip().splitlines() or [""])[-1]
    if done.returncode or not last.startswith("samples/s"):
        return f"failed: {(done.stderr.strip().splitlines() or ['?'])[-1][:160]}"
    parts = last.split()
    return float(parts[1]), " ".join(parts[2:])


def _dataloader_main() -> None:
    """Prints ``samples/s R spread A-B constant C spread D-E``: the Sampler in a DataLoader
    with 2 spawned workers, and the same DataLoader passing constant tensors of a sample's
    shapes (its own ceiling), epochs interleaved."""
    from torch.utils.data import DataLoader

    from benchmarks.torch_constant import ConstantSamples
    from dacapo_arrays.sampling.torch import SampleStream

    configs = make_cellmap_like()
    stream = SampleStream(_sampler(configs), samples_per_epoch=SAMPLES)
    gt = (len(GROUPS), *SHAPES["gt"])
    constant = ConstantSamples({"raw": SHAPES["raw"], "gt": gt, "mask": gt}, SAMPLES)
    loaders = [
        DataLoader(
            dataset,
            batch_size=2,
            num_workers=2,
            multiprocessing_context="spawn",
            persistent_workers=True,
        )
        for dataset in (stream, constant)
    ]
    for loader in loaders:
        list(loader)  # warm-up: start the workers, open the handles, read what is kept
    rates: list[list[float]] = [[], []]
    for epoch in range(1, PASSES + 1):
        stream.set_epoch(epoch)
        for loader, into in zip(loaders, rates, strict=True):
            start = time.perf_counter()
            list(loader)
            into.append(SAMPLES / (time.perf_counter() - start))
    print(
        " ".join(
            f"{label} {float(np.median(r)):.3f} spread {min(r):.2f}-{max(r):.2f}"
            for label, r in zip(("samples/s", "constant"), rates, strict=True)
        )
    )


def _cellmap_env() -> Path | str:
    """The cellmap-data venv's python (built once, cached in ``CELLMAP_ENV``), or why not."""
    python = CELLMAP_ENV / "bin" / "python"
    stamp = CELLMAP_ENV / "pins.txt"
    if python.exists() and stamp.exists() and stamp.read_text().split() == list(CELLMAP_PINS):
        return python
    base = shutil.which("python3") or sys.executable
    print(f"building {CELLMAP_ENV} ({' '.join(CELLMAP_PINS)}) ...", file=sys.stderr, flush=True)
    steps = [
        [base, "-m", "venv", "--clear", str(CELLMAP_ENV)],
        [str(python), "-m", "pip", "install", "--quiet", *CELLMAP_PINS],
    ]
    for step in steps:
        done = subprocess.run(step, capture_output=True, text=True, check=False)
        if done.returncode:
            last = (done.stderr.strip().splitlines() or ["?"])[-1][:200]
            return f"`{' '.join(step[2:])}` failed: {last}"
    stamp.write_text("\n".join(CELLMAP_PINS) + "\n")
    return python


class _Peer:
    """cellmap-data in its venv (``cellmap_peer.py``): each call draws ``SAMPLES`` samples
    there and records its CPU seconds."""

    def __init__(self, python: Path, container: Path) -> None:
        self.cpu: list[float] = []
        self._log = tempfile.TemporaryFile("w+")  # noqa: SIM115 (closed by close())
        self._process = subprocess.Popen(
            [str(python), str(HERE / "cellmap_peer.py"), str(container), "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self.ready = self._reply()

    def _reply(self) -> str:
        line = self._process.stdout.readline()  # type: ignore[union-attr]
        if not line:
            self._process.wait()
            self._log.seek(0)
            last = (self._log.read().strip().splitlines() or ["?"])[-1][:200]
            raise RuntimeError(f"cellmap_peer.py exited {self._process.returncode}: {last}")
        return line.strip()

    def __call__(self) -> None:
        self._process.stdin.write(f"{SAMPLES}\n")  # type: ignore[union-attr]
        self._process.stdin.flush()  # type: ignore[union-attr]
        self.cpu.append(float(self._reply().split()[1]))

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.communicate("\n", timeout=60)
        self._log.close()


def _cellmap(container: Path) -> _Peer | str:
    python = _cellmap_env()
    if isinstance(python, str):
        return python
    try:
        return _Peer(python, container)
    except RuntimeError as err:
        return str(err)


def _with_cpu(function: Callable[[], object], into: list[float]) -> Callable[[], None]:
    """``function``, recording the CPU seconds of this process (all threads) per call."""

    def run() -> None:
        start = time.process_time()
        function()
        into.append(time.process_time() - start)

    return run


def _note(rate: float, seconds: Sequence[float], cpu: Sequence[float], extra: str = "") -> str:
    """``N samples/s (slowest-fastest), C ms CPU/sample``; ``cpu`` without the warm-up."""
    spread = f"{SAMPLES / max(seconds):.2f}-{SAMPLES / min(seconds):.2f}"
    per_sample = 1e3 * statistics.median(cpu[1:]) / SAMPLES
    return f"{rate:.2f} samples/s ({spread}), {per_sample:.0f} ms CPU/sample{extra}"


def run(data: Data) -> list[Row]:
    configs = make_cellmap_like()
    sampler = _sampler(configs, prefetch=4)
    uncached = _sampler(configs, prefetch=4, cache=0)
    uncached_deep = _sampler(configs, prefetch=SAMPLES, cache=0)
    same_arrays = _sampler_on_class_groups(configs, prefetch=4)
    start = time.perf_counter()
    first = list(_sampler(configs, prefetch=4).take(SAMPLES))  # reading what it keeps
    first_seconds = time.perf_counter() - start
    del first

    def draw(chosen: Sampler) -> Callable[[], None]:
        def run() -> None:
            for _ in chosen.take(SAMPLES):  # reads in flight, none beyond these samples
                pass

        return run

    cpu: dict[str, list[float]] = defaultdict(list)
    contenders = {
        "ceiling": _ceiling(configs, sampler),
        "ceiling, kept": _ceiling(configs, sampler, cache=sampler.cache),
        "ceiling, prefetch": _ceiling(configs, sampler, in_flight=sampler.prefetch),
        "Sampler": draw(sampler),
        "Sampler, cache=0": draw(uncached),
        "Sampler, cache=0, all in flight": draw(uncached_deep),
        "Sampler, class groups": draw(same_arrays),
        "gunpowder": _gunpowder(configs),
        "gunpowder, SamplerSource": _gunpowder_sampler_source(_sampler(configs, prefetch=4)),
    }
    contenders = {name: _with_cpu(f, cpu[name]) for name, f in contenders.items()}
    peer = _cellmap(Path(configs["raw"].file_name))
    if isinstance(peer, _Peer):
        contenders["cellmap-data"] = peer
        cpu["cellmap-data"] = peer.cpu
    try:
        timings = interleaved(contenders, PASSES)
    finally:
        if isinstance(peer, _Peer):
            peer.close()
    rates = {name: SAMPLES / t.median for name, t in timings.items()}
    notes = {n: _note(rates[n], t.seconds, cpu[n]) for n, t in timings.items()}
    ceiling, ours, plain = rates["ceiling"], rates["Sampler"], rates["Sampler, cache=0"]
    task = "sample raw 216³ + 3 classes 108³ + mask (batch 2)"

    def row(name: str, key: str, extra: str = "", versus: str = "ceiling") -> Row:
        ratio = None if key == "ceiling" else (rates[key] / rates[versus], versus)
        return Row(f"{task}: {name}", rates[key] * SAMPLE_BYTES / 1e6, ratio, notes[key] + extra)

    kept_note = (
        f"; {sampler.kept_bytes / 1e6:.0f} MB kept, its first {SAMPLES} samples took "
        f"{first_seconds:.2f} s"
    )
    rows = [
        row("tensorstore in flight + numpy", "ceiling", ", the ceiling"),
        row(
            "tensorstore in flight + numpy, tensorstore chunk cache 1 GiB",
            "ceiling, kept",
            ", the kept ceiling",
        ),
        row("Sampler, 1 process, as it comes (kept)", "Sampler", kept_note, "ceiling, kept"),
        row(
            f"tensorstore + numpy, at most {sampler.prefetch} samples in flight",
            "ceiling, prefetch",
            ", the ceiling at the Sampler's prefetch",
        ),
        row(
            f"Sampler(cache=0), 1 process, prefetch {uncached.prefetch}",
            "Sampler, cache=0",
            versus="ceiling, prefetch",
        ),
        row(
            f"Sampler(cache=0), 1 process, prefetch {SAMPLES} (all in flight)",
            "Sampler, cache=0, all in flight",
        ),
        row(
            "Sampler on cellmap-data's arrays (raw + a 0/1 group per class, no mask)",
            "Sampler, class groups",
        ),
        *_dataloader_rows(task, ceiling),
    ]
    if "cellmap-data" in rates:
        versus = rates["Sampler, class groups"] / rates["cellmap-data"]
        rows.append(
            row(
                f"{CELLMAP_PINS[-1]} CellMapDataset, 1 process",
                "cellmap-data",
                f"; Sampler {ours / rates['cellmap-data']:.1f}x (cache=0: "
                f"{plain / rates['cellmap-data']:.1f}x), on the same arrays {versus:.1f}x",
            )
        )
    else:
        rows.append(Row(f"{task}: {CELLMAP_PINS[-1]}", 0.0, note=f"not run: {peer}"))
    rows.append(
        row(
            "gunpowder, source per array + RandomLocation",
            "gunpowder",
            f"; Sampler {ours / rates['gunpowder']:.1f}x "
            f"(cache=0: {plain / rates['gunpowder']:.1f}x)",
        )
    )
    rows.append(
        row(
            "gunpowder, SamplerSource (the Sampler as its source node)",
            "gunpowder, SamplerSource",
            f"; {rates['gunpowder, SamplerSource'] / rates['gunpowder']:.1f}x a source per array",
        )
    )
    RATIOS.append(f"sampling-kept-ratio: {ours / rates['ceiling, kept']:.2f}")
    RATIOS.append(f"sampling-same-depth-ratio: {plain / rates['ceiling, prefetch']:.2f}")
    RATIOS.append(f"sampling-ratio: {rates['Sampler, cache=0, all in flight'] / ceiling:.2f}")
    return rows


def _dataloader_rows(task: str, ceiling: float) -> list[Row]:
    loader = _in_torch_venv("dataloader")
    name = f"{task}: DataLoader 2 workers"
    if isinstance(loader, str):
        return [Row(name, 0.0, note=f"skipped: {loader}")]
    rate, note = loader
    ours, constant = note.split(" constant ")
    passing = float(constant.split()[0])
    return [
        Row(
            f"{name}, constant tensors of a sample's shapes (the DataLoader's own ceiling)",
            passing * SAMPLE_BYTES / 1e6,
            (passing / ceiling, "ceiling"),
            f"{passing:.2f} samples/s ({constant.split(maxsplit=1)[1]})",
        ),
        Row(
            f"{name}, SampleStream",
            rate * SAMPLE_BYTES / 1e6,
            (rate / passing, "the DataLoader's own ceiling"),
            f"{rate:.2f} samples/s ({ours})",
        ),
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["dataloader"]:
        _dataloader_main()
