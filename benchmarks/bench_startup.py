"""Start-up: a fresh process that imports, opens a config and reads one 128³ ROI.

Ours: ``import`` the arrays, ``ArrayConfig.from_file`` (a YAML ZarrArrayConfig), create the
array, read a 128³ ROI. The reference does the same steps with raw tensorstore: import it,
load a JSON spec from a file, open, read the same voxels. Each runs as a new process
(``python file.py``, the time from start to exit), interleaved, ``PASSES`` times; rows give
the median and the spread. Whether the environment holds compiled bytecode matters most
(``PYTHONDONTWRITEBYTECODE`` keeps Python from writing it; ``dacapo-arrays demo`` compiles
what it imported): the row's note says which.

The last lines are ``startup-ratio: R``, R = tensorstore's median seconds over ours (>= 1/1.5
= 0.67 is the target), and ``startup-cpu-ratio: R``, the same over CPU seconds (user + system)
of each process: on a machine shared with other jobs the wall time also counts waiting for
a core, the CPU time much less so.
"""

from __future__ import annotations

import importlib.util
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

from benchmarks.harness import Data, Row, Timing

PASSES = 9
SIDE = 128
RATIOS: list[str] = []

OURS = """
from funlib.geometry import Roi
from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig
array = ArrayConfig.from_file({config!r}).create_array()
block = array[Roi({begin!r}, {shape!r})]
assert block.shape == ({side}, {side}, {side})
"""

TENSORSTORE = """
import json
import tensorstore as ts
with open({spec!r}) as file:
    spec = json.load(file)
store = ts.open(spec, read=True).result()
block = store[{slices}].read().result()
assert block.shape == ({side}, {side}, {side})
"""


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(script: str) -> tuple[float, float]:
    """Wall and CPU seconds of ``python script`` in a fresh process."""
    cpu, start = _cpu_seconds(), time.perf_counter()
    subprocess.run([sys.executable, script], check=True)
    return time.perf_counter() - start, _cpu_seconds() - cpu


def compiled_bytecode() -> bool:
    """Whether numpy and the arrays have compiled bytecode in this environment."""
    names = ["numpy", "dacapo.experiments.datasplits.datasets.arrays.array"]
    for name in names:
        spec = importlib.util.find_spec(name)
        origin = spec and spec.origin
        if not origin or not os.path.exists(importlib.util.cache_from_source(origin)):
            return False
    return True


def run(data: Data) -> list[Row]:
    RATIOS.clear()
    folder = data.folder / f"startup-{os.getpid()}"
    folder.mkdir(parents=True, exist_ok=True)
    config_file = folder / "raw.yaml"
    data.raw.to_file(config_file)
    array = data.raw.to_array()
    voxel = array.voxel_size
    begin = [int(b) + 100 * int(v) for b, v in zip(array.roi.begin, voxel, strict=True)]
    shape = [SIDE * int(v) for v in voxel]
    spec = {"driver": "zarr", "kvstore": f"file://{data.raw.file_name}/{data.raw.dataset}/"}
    (folder / "spec.json").write_text(json.dumps(spec))
    slices = ", ".join(f"{100}:{100 + SIDE}" for _ in range(3))
    scripts = {
        "ours": OURS.format(config=str(config_file), begin=begin, shape=shape, side=SIDE),
        "tensorstore": TENSORSTORE.format(spec=str(folder / "spec.json"), slices=slices,
                                          side=SIDE),
    }  # fmt: skip
    paths = {}
    for name, text in scripts.items():
        paths[name] = folder / f"steps_{name}.py"  # not tensorstore.py: it would shadow it
        paths[name].write_text(text)
    times: dict[str, list[float]] = {name: [] for name in scripts}
    cpu: dict[str, list[float]] = {name: [] for name in scripts}
    for k in range(PASSES + 1):  # the first pass fills the page cache; not counted
        order = list(scripts) if k % 2 else list(scripts)[::-1]
        for name in order:
            seconds, cpu_seconds = _run(str(paths[name]))
            if k:
                times[name].append(seconds)
                cpu[name].append(cpu_seconds)
    for path in [*paths.values(), config_file, folder / "spec.json"]:
        path.unlink()
    folder.rmdir()
    ours, reference = Timing(tuple(times["ours"])), Timing(tuple(times["tensorstore"]))
    ratio = ours.over(reference)
    ours_cpu, reference_cpu = Timing(tuple(cpu["ours"])), Timing(tuple(cpu["tensorstore"]))
    RATIOS.append(f"startup-ratio: {ratio:.2f}")
    RATIOS.append(f"startup-cpu-ratio: {ours_cpu.over(reference_cpu):.2f}")
    nbytes = SIDE**3 * int(np.dtype(array.dtype).itemsize)
    bytecode = "compiled bytecode" if compiled_bytecode() else "no compiled bytecode"
    writes = "" if os.environ.get("PYTHONDONTWRITEBYTECODE") else ", Python writes it"
    return [
        ours.row("start-up: import, open config, read 128³ (fresh process)", nbytes,
                 (ratio, "raw tensorstore, same steps"),
                 f"{ours.text()} vs {reference.text()}; CPU {ours_cpu.text()} vs "
                 f"{reference_cpu.text()}; {bytecode}{writes}; {PASSES} passes"),
        reference.row("  raw tensorstore: import, open spec, read 128³", nbytes),
    ]  # fmt: skip
