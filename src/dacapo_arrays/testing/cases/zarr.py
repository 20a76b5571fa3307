"""Cases for ``ZarrArray``: zarr v2, zarr v3 (plain and sharded), N5, an OME-NGFF multiscale
level (0.4 and 0.5), ``snap_to_grid`` and channels, each on a real container on disk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import tensorstore as ts
from funlib.geometry import Coordinate

from dacapo.experiments.datasplits.datasets.arrays import NumpyArray, ZarrArrayConfig
from dacapo_arrays.testing.case import Case, Factory
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _case(container: str, format: str | None = None, **truth_args: Any) -> Factory:
    def make(tmp_path: Path) -> tuple[ZarrArrayConfig, NumpyArray]:
        truth = numpy_truth(**truth_args)
        config = zarr_source(tmp_path, truth, name="raw", container=container, format=format)
        return config, truth

    return make


def _write(spec: dict[str, Any], values: np.ndarray) -> None:
    ts.open(spec, create=True).result()[...] = values


def _sharded(tmp_path: Path) -> tuple[ZarrArrayConfig, NumpyArray]:
    """A sharded zarr v3 array written by tensorstore: shards of 4 x 6 x 6, chunks 2 x 3 x 3."""
    truth = numpy_truth(shape=(7, 10, 12), dtype="int32", voxel_size=(6, 2, 2), offset=(12, 4, 0))
    container = tmp_path / "sharded.zarr"
    inner = [{"name": "bytes", "configuration": {"endian": "little"}}, {"name": "zstd"}]
    metadata = {
        "shape": list(truth.shape),
        "data_type": "int32",
        "chunk_grid": {"name": "regular", "configuration": {"chunk_shape": [4, 6, 6]}},
        "codecs": [
            {
                "name": "sharding_indexed",
                "configuration": {"chunk_shape": [2, 3, 3], "codecs": inner},
            }
        ],
        "dimension_names": ["z", "y", "x"],
        "attributes": {"resolution": [6, 2, 2], "offset": [12, 4, 0]},
    }
    (container).mkdir()
    (container / "zarr.json").write_text(json.dumps({"zarr_format": 3, "node_type": "group"}))
    spec = {"driver": "zarr3", "kvstore": f"file://{container}/raw/", "metadata": metadata}
    _write(spec, truth.data)
    return ZarrArrayConfig(name="raw", file_name=container, dataset="raw"), truth


def _ome_level(version: str) -> Factory:
    """An image pyramid with OME-NGFF metadata only (no plain attributes), read at level s1."""

    def make(tmp_path: Path) -> tuple[ZarrArrayConfig, NumpyArray]:
        truth = numpy_truth(shape=(2, 4, 6, 5), voxel_size=(8, 4, 4), offset=(80, 40, 0))
        container = tmp_path / f"ome-{version}.zarr"
        axes = [{"name": "c", "type": "channel"}] + [
            {"name": a, "type": "space", "unit": "micrometer"} for a in "zyx"
        ]
        levels = []
        for name, factor in (("s0", 2), ("s1", 1)):  # s1 holds the truth, s0 is twice as fine
            scale = [1.0] + [v / factor / 1000 for v in truth.voxel_size]
            translation = [0.0] + [o / 1000 for o in truth.roi.offset]
            levels.append(
                {
                    "path": name,
                    "coordinateTransformations": [
                        {"type": "scale", "scale": scale},
                        {"type": "translation", "translation": translation},
                    ],
                }
            )
        multiscale: dict[str, Any] = {"axes": axes, "datasets": levels, "name": "image"}
        driver = "zarr" if version == "0.4" else "zarr3"
        container.mkdir()
        if version == "0.4":
            (container / ".zgroup").write_text('{"zarr_format": 2}')
            multiscale["version"] = "0.4"
            (container / ".zattrs").write_text(json.dumps({"multiscales": [multiscale]}))
        else:
            ome = {"version": "0.5", "multiscales": [multiscale]}
            group = {"zarr_format": 3, "node_type": "group", "attributes": {"ome": ome}}
            (container / "zarr.json").write_text(json.dumps(group))
        s0 = np.repeat(np.repeat(np.repeat(truth.data, 2, 1), 2, 2), 2, 3)
        dtype = {"dtype": "|u1"} if version == "0.4" else {"data_type": "uint8"}
        for name, values in (("s0", s0), ("s1", truth.data)):
            spec = {
                "driver": driver,
                "kvstore": f"file://{container}/{name}/",
                "metadata": {"shape": list(values.shape), **dtype},
            }
            _write(spec, values)
        return ZarrArrayConfig(name="raw", file_name=container, dataset="s1"), truth

    return make


def _snapped(tmp_path: Path) -> tuple[ZarrArrayConfig, NumpyArray]:
    """Stored at offset 2 (voxel 2), snapped to a grid of 4: the ROI shrinks to [4:16] while
    voxels stay where they are (the original shifted them by one voxel)."""
    stored = numpy_truth(shape=(7, 6, 5), voxel_size=(2, 2, 2), offset=(2, 2, 2))
    config = zarr_source(tmp_path, stored, name="raw", container="snap.zarr")
    grid = Coordinate(4, 4, 4)
    snapped = stored.roi.snap_to_grid(grid, mode="shrink")
    truth = NumpyArray.from_np_array(stored[snapped], snapped, stored.voxel_size, stored.axes)
    return ZarrArrayConfig(
        name="raw", file_name=config.file_name, dataset=config.dataset, snap_to_grid=grid
    ), truth


def _writable(id: str, make: Factory) -> Case:
    return Case(id, make, writable=True, virtual=False)


CASES = [
    _writable("zarr2-uint8", _case("data.zarr")),
    _writable(
        "zarr2-channels-float32",
        _case("data.zarr", shape=(3, 5, 6, 7), dtype="float32", voxel_size=(4, 4, 4)),
    ),
    _writable("zarr3-uint16", _case("data.zarr", "zarr3", dtype="uint16", offset=(0, 4, -8))),
    _writable(
        "zarr3-channels-int64",
        _case(
            "v3.zarr",
            "zarr3",
            shape=(2, 4, 5, 6),
            dtype="int64",
            voxel_size=(3, 5, 7),
            offset=(-3, 10, 14),
        ),
    ),
    _writable("zarr3-sharded-int32", _sharded),
    _writable(
        "n5-uint64",
        _case("data.n5", dtype="uint64", voxel_size=(40, 8, 8), offset=(80, 0, -16)),
    ),
    _writable("n5-channels-uint8", _case("data.n5", shape=(2, 3, 4, 5), voxel_size=(2, 2, 2))),
    _writable(
        "zarr2-2d-float64",
        _case("flat.zarr", shape=(9, 11), dtype="float64", voxel_size=(3, 3), offset=(-9, 6)),
    ),
    _writable("ome-ngff-0.4-level", _ome_level("0.4")),
    _writable("ome-ngff-0.5-level", _ome_level("0.5")),
    _writable("snap-to-grid", _snapped),
]
