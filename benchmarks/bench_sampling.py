"""Training samples: ``Sampler`` beside the raw ceiling, cellmap-data and DaCapo's gunpowder way.

CellMap-shaped synthetic data (made once in ``benchmarks/data/cellmap-like.zarr``): raw EM
320³ uint8 at 8 nm with a 2x pyramid (OME-NGFF), uint64 labels 320³ at 4 nm in a crop at the
centre with fibsem-tools annotation metadata, three classes. A sample is raw 216³ at 8 nm plus
three binarized classes 108³ at 8 nm (labels resampled from 4 nm, nearest) plus their
missing-annotations mask (3 x 108³); batch 2. Rows, timed over interleaved passes (median,
spread slowest-fastest):

* ceiling: the same windows read with raw tensorstore, all in flight, and the same numpy
  computation written by hand (nearest ``[1::2]``, ``==`` per id, ``> 0``) on 2 threads as
  reads complete;
* ``Sampler`` in this process;
* ``SampleStream`` in a DataLoader with 2 spawned workers (in the ``.venv-torch`` venv that
  ``.ci/run`` builds; skipped, with the reason, when there is none);
* cellmap-data (``CELLMAP_DATA``, pinned; its row says why when it cannot run here);
* DaCapo's way: gunpowder 1.4, one source node per array (each ``array[roi]`` one at a time,
  as DaCapo 0.3's ``DaCapoArraySource``) + ``MergeProvider`` + ``RandomLocation``.

The last line is ``sampling-ratio: R``: the Sampler's samples/s over the ceiling's.
"""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

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

CELLMAP_DATA = "cellmap-data==2026.3.20.1935"
RAW_SIDE, LABEL_SIDE, CHUNK = 320, 320, 64
RAW_VOXEL, LABEL_VOXEL = Coordinate(8, 8, 8), Coordinate(4, 4, 4)
CROP_BEGIN = Coordinate(640, 640, 640)  # the crop (1280 nm) at the centre of the raw (2560 nm)
GROUPS = [("mito", [1, 2]), ("er", [3]), ("nucleus", [4, 5])]
SHAPES = {"raw": (216, 216, 216), "gt": (108, 108, 108), "mask": (108, 108, 108)}
SAMPLES = 12  # per pass: 6 batches of 2
PASSES = 5
RATIOS: list[str] = []
HERE = Path(__file__).resolve().parent


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


def _ceiling(configs: dict[str, ZarrArrayConfig], sampler: Sampler) -> object:
    """The windows of ``SAMPLES`` draws read with raw tensorstore (all in flight) + numpy."""
    raw = configs["raw"].to_array()
    labels = configs["labels"].to_array()
    raw_ts, labels_ts = raw.tensorstore, labels.tensorstore  # type: ignore[attr-defined]
    windows = sampler.windows[0]
    draws = sampler.draws(SAMPLES, 99)
    raw_slices = [raw._slices(windows.window("raw", d.point)) for d in draws]
    label_rois = [windows.window("gt", d.point) for d in draws]
    label_slices = [labels._slices(roi) for roi in label_rois]
    threads = ThreadPoolExecutor(2)

    def compute(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # nearest 4 -> 8 nm, copied once and cast to uint8 (ids < 256): fastest by hand here
        at_8nm = ids[1::2, 1::2, 1::2].astype(np.uint8)
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

    return run


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
    from torch.utils.data import DataLoader

    from dacapo_arrays.sampling.torch import SampleStream

    configs = make_cellmap_like()
    stream = SampleStream(_sampler(configs), samples_per_epoch=SAMPLES)
    loader = DataLoader(
        stream,
        batch_size=2,
        num_workers=2,
        multiprocessing_context="spawn",
        persistent_workers=True,
    )
    list(loader)  # warm-up: start the workers, open the handles
    rates = []
    for epoch in range(1, PASSES + 1):
        stream.set_epoch(epoch)
        start = time.perf_counter()
        list(loader)
        rates.append(SAMPLES / (time.perf_counter() - start))
    print(f"samples/s {float(np.median(rates)):.3f} spread {min(rates):.2f}-{max(rates):.2f}")


def _row(name: str, rate: float, nbytes: int, ceiling: float | None, note: str = "") -> Row:
    ratio = None if ceiling is None else (rate / ceiling, "ceiling")
    return Row(name, rate * nbytes / 1e6, ratio, f"{rate:.2f} samples/s{note}")


def run(data: Data) -> list[Row]:
    configs = make_cellmap_like()
    sampler = _sampler(configs, prefetch=4)

    def ours() -> None:
        samples = iter(sampler)
        for _ in range(SAMPLES):
            next(samples)

    contenders = {
        "ceiling": _ceiling(configs, sampler),
        "Sampler": ours,
        "gunpowder": _gunpowder(configs),
    }
    timings = interleaved(contenders, PASSES)
    sample_bytes = 216**3 + 2 * 3 * 108**3  # what a sample hands out (uint8)
    rates = {name: SAMPLES / t.median for name, t in timings.items()}
    spread = {
        n: f" ({SAMPLES / max(t.seconds):.2f}-{SAMPLES / min(t.seconds):.2f})"
        for n, t in timings.items()
    }
    ceiling = rates["ceiling"]
    task = "sample raw 216³ + 3 classes 108³ + mask (batch 2)"
    rows = [
        _row(
            f"{task}: tensorstore in flight + numpy",
            ceiling,
            sample_bytes,
            None,
            spread["ceiling"] + ", the ceiling",
        ),
        _row(
            f"{task}: Sampler, 1 process",
            rates["Sampler"],
            sample_bytes,
            ceiling,
            spread["Sampler"],
        ),
    ]
    loader = _in_torch_venv("dataloader")
    if isinstance(loader, str):
        rows.append(Row(f"{task}: DataLoader 2 workers", 0.0, note=f"skipped: {loader}"))
    else:
        rows.append(
            _row(
                f"{task}: DataLoader 2 workers",
                loader[0],
                sample_bytes,
                ceiling,
                f" ({loader[1]})",
            )
        )
    rows.append(Row(f"{task}: {CELLMAP_DATA}", 0.0, note=f"not run: {_cellmap_reason()}"))
    rows.append(
        _row(
            f"{task}: gunpowder, source per array + RandomLocation",
            rates["gunpowder"],
            sample_bytes,
            ceiling,
            f"{spread['gunpowder']}; Sampler {rates['Sampler'] / rates['gunpowder']:.1f}x",
        )
    )
    RATIOS.append(f"sampling-ratio: {rates['Sampler'] / ceiling:.2f}")
    return rows


def _cellmap_reason() -> str:
    """Why cellmap-data has no measured row here (checked now, in its own venv)."""
    python = HERE.parent / ".venv-cellmap" / "bin" / "python"
    if not python.exists():
        return (
            f"no .venv-cellmap; `pip install {CELLMAP_DATA}` beside this machine's CPU torch "
            f"2.13.0 pulls torchvision 0.28.0 from PyPI, which fails to import "
            f"('operator torchvision::nms does not exist'); with torch 2.14.1 + torchvision "
            f"0.29.1 (a CUDA build, a 5.9 GB venv) it imports, but the equivalent "
            f"CellMapDataset row is not written yet"
        )
    done = subprocess.run([str(python), "-c", "import cellmap_data"], capture_output=True,
                          text=True, check=False)  # fmt: skip
    if done.returncode:
        return f"import cellmap_data fails: {done.stderr.strip().splitlines()[-1][:200]}"
    return "installed, but the equivalent CellMapDataset (per-class label datasets) is not written"


if __name__ == "__main__":
    if sys.argv[1:] == ["dataloader"]:
        _dataloader_main()
