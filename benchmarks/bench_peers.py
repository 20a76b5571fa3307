"""The arrays beside their peers, same workloads, same data, same run.

Each peer gets an isolated environment built once with uv in ``benchmarks/data/peers/``
(each optional: a peer that cannot install is skipped, and its row says why):

* zarr-python 3 (reads with numpy, the user's way);
* dask (``dask.array.from_zarr``, threads);
* funlib.persistence 0.7 (``open_ds``/``prepare_ds``, ROIs in world units);
* DaCapo 0.3.0 (its own array kinds; needs torch: the CPU wheel ``pip install
  torch==2.13.0`` finds on this machine, then ``dacapo-ml==0.3.0`` beside it).

``benchmarks/peer_workloads.py`` runs in each environment (ours in this one): one process
per peer per pass, passes interleaved with the order rotated; each process times each
workload once after a warm-up. Rows give each peer's median over passes, the spread, and
this project's speed over the peer's (>1: we are faster). ``BENCH_PEERS`` picks peers
(comma-separated keys: zarr3, dask, funlib, dacapo); ``BENCH_PEERS_PASSES`` the passes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import numpy as np

from benchmarks.harness import CHUNK, Data, Row, Timing

HERE = Path(__file__).parent
PASSES = int(os.environ.get("BENCH_PEERS_PASSES", "5"))
SIDE = 128
COUNT = 8
RATIOS: list[str] = []


@attrs.frozen
class Peer:
    key: str
    name: str
    #: Requirements for ``uv pip install``.
    requirements: tuple[str, ...]
    #: Installed first with the environment's own pip (which finds local wheels).
    pip_first: tuple[str, ...] = ()


PEERS = [
    Peer("zarr3", "zarr-python", ("zarr>=3,<4", "numpy")),
    Peer("dask", "dask", ("dask[array]", "zarr>=3,<4", "numpy")),
    Peer("funlib", "funlib.persistence", ("funlib.persistence==0.7.0",)),
    # dacapo-ml 0.3.0 pins neither: fibsem-tools 7 lost `fibsem_tools.metadata` and
    # funlib.persistence 0.5 changed `open_ds`, both of which it imports
    Peer(
        "dacapo",
        "DaCapo 0.3.0",
        ("dacapo-ml==0.3.0", "torch==2.13.0", "fibsem-tools<7", "funlib.persistence<0.5"),
        ("torch==2.13.0",),
    ),
]
WORKLOADS = {
    "reads": f"{COUNT} random {SIDE}³ raw reads",
    "binarize": f"binarize 2 groups, {COUNT} x {SIDE}³ labels",
    "normalize": f"normalize to float32, {COUNT} x {SIDE}³ raw",
    "resample": f"resample 2x down + 2x up, {COUNT} + {COUNT} x {SIDE}³ out",
    "write": "whole 512³ labels binarized to a new zarr",
}


def _uv() -> str | None:
    return os.environ.get("UV") or shutil.which("uv")


def _run(command: list[str], timeout: float = 1800) -> str | None:
    """None when ``command`` succeeded, else its last line of output (the reason)."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as err:
        return f"{type(err).__name__}: {err}"
    if done.returncode == 0:
        return None
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[-1] if lines else f"exit code {done.returncode}"


def environment(peer: Peer, folder: Path) -> tuple[Path | None, str]:
    """The peer's Python (built once), or None and why not."""
    uv = _uv()
    python = folder / peer.key / "bin" / "python"
    done = folder / peer.key / ".complete"
    if done.exists():
        return python, ""
    if uv is None:
        return None, "uv is not on PATH (run through `uv run`)"
    shutil.rmtree(folder / peer.key, ignore_errors=True)
    seed = ["--seed"] if peer.pip_first else []
    steps = [[uv, "venv", "-q", *seed, "--python", sys.executable, str(folder / peer.key)]]
    if peer.pip_first:
        steps.append([str(python), "-m", "pip", "install", "-q", *peer.pip_first])
    steps.append([uv, "pip", "install", "-q", "--python", str(python), *peer.requirements])
    for step in steps:
        failed = _run(step)
        if failed is not None:
            return None, f"`{' '.join(step[:2] + step[-1:])}` failed: {failed}"
    done.write_text("ok\n")
    return python, ""


def _job(data: Data, out: Path) -> dict[str, Any]:
    rng = np.random.default_rng(7)

    def begins(span: int, step: int = 1) -> list[list[int]]:
        return [[int(rng.integers(0, (data.side - span) // step + 1)) * step
                 for _ in range(3)] for _ in range(COUNT)]  # fmt: skip

    container = str(data.raw.file_name)
    return {
        "container": container,
        "raw": f"{container}/{data.raw.dataset}",
        "labels": f"{container}/{data.labels.dataset}",
        "out": str(out),
        "side": SIDE,
        "volume": data.side,
        "chunk": CHUNK,
        "rois": begins(SIDE),
        "down_rois": begins(2 * SIDE, 2),
        "up_rois": begins(SIDE // 2),
    }


def _passes(pythons: dict[str, Path], job_file: Path) -> dict[str, list[dict[str, Any]]]:
    script = str(HERE / "peer_workloads.py")
    results: dict[str, list[dict[str, Any]]] = {name: [] for name in pythons}
    names = list(pythons)
    for k in range(PASSES):
        shift = k % len(names)
        for name in names[shift:] + names[:shift]:
            done = subprocess.run([str(pythons[name]), script, name, str(job_file)],
                                  capture_output=True, text=True, timeout=1800)  # fmt: skip
            lines = done.stdout.strip().splitlines()
            error = (done.stderr.strip().splitlines() or ["no output"])[-1]
            results[name].append(json.loads(lines[-1]) if lines else {"error": error})
    return results


def _nbytes(side: int) -> dict[str, int]:
    """Source bytes each workload reads (MB/s in the table are of these)."""
    block = COUNT * SIDE**3
    resample = COUNT * ((2 * SIDE) ** 3 + (SIDE // 2) ** 3)
    return {"reads": block, "binarize": 8 * block, "normalize": block,
            "resample": resample, "write": 8 * side**3}  # fmt: skip


def _rows(
    results: dict[str, list[dict[str, Any]]], skipped: dict[str, str], side: int
) -> list[Row]:
    rows: list[Row] = []
    for workload, label in WORKLOADS.items():
        nbytes = _nbytes(side)[workload]
        values = [r.get(workload, r.get("error")) for r in results["ours"]]
        if not all(isinstance(v, float) for v in values):
            rows.append(Row(f"{label}: ours", 0.0, note=f"failed: {values}"))
            continue
        ours = Timing(tuple(values))
        rows.append(ours.row(f"{label}: ours", nbytes, note=ours.text()))
        for name, passes in results.items():
            if name == "ours":
                continue
            values = [p.get(workload, p.get("error")) for p in passes]
            if not all(isinstance(v, float) for v in values):
                reason = next(str(v) for v in values if not isinstance(v, float))
                rows.append(Row(f"  {name}", 0.0, note=f"failed: {reason[:160]}"))
                continue
            theirs = Timing(tuple(values))
            ratio = ours.over(theirs)
            rows.append(theirs.row(f"  {name}", nbytes, (ratio, "ours faster"), theirs.text()))
            key = name.split()[0].lower().replace(".", "-")
            RATIOS.append(f"peers-{workload}-{key}-ratio: {ratio:.2f}")
        for name, reason in skipped.items():
            rows.append(Row(f"  {name}", 0.0, note=f"skipped: {reason}"))
    return rows


def run(data: Data) -> list[Row]:
    RATIOS.clear()
    folder = data.folder / "peers"
    folder.mkdir(parents=True, exist_ok=True)
    wanted = os.environ.get("BENCH_PEERS", ",".join(p.key for p in PEERS)).split(",")
    pythons: dict[str, Path] = {"ours": Path(sys.executable)}
    skipped: dict[str, str] = {}
    for peer in PEERS:
        if peer.key not in wanted:
            continue
        print(f"  environment for {peer.name} ...", file=sys.stderr, flush=True)
        python, reason = environment(peer, folder)
        if python is None:
            skipped[peer.name] = reason
        else:
            pythons[peer.name] = python
    scratch = data.folder / f"peers-{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    job_file = scratch / "job.json"
    job_file.write_text(json.dumps(_job(data, scratch / "out.zarr")))
    try:
        results = _passes(pythons, job_file)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _rows(results, skipped, data.side)
