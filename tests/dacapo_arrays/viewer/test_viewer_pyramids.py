"""Pyramids by ngff-zarr and by this project's blockwise writer, side by side in neuroglancer.

Issue 12: the two writers' pyramids of the same image line up voxel-exactly, here and in
neuroglancer. ``view`` serves each as one layer that neuroglancer's own zarr source reads
level by level; neuroglancer takes OME-NGFF translations as voxel centres (level *k* starts
at ``translation - scale / 2``), this project the finest level's as its corner, and the
layer's source transform makes up the difference (``viewer/ome.py``). The state test
follows neuroglancer's rule on the metadata it fetches over HTTP; the browser test renders
both pyramids and the generic (``LocalVolume``) layer of the same s0 and finds no shift.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier, ZarrArrayConfig
from dacapo_arrays.blockwise import write
from dacapo_arrays.viewer.cli import load
from dacapo_arrays.viewer.files import stop_all
from dacapo_arrays.viewer.state import build_viewer

from .conftest import em_like

SCALE = {"z": 8.0, "y": 4.0, "x": 4.0}
ORIGIN = {"z": 800.0, "y": 400.0, "x": 400.0}


@pytest.fixture(scope="module")
def pyramids(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """ngff-zarr's 3-level pyramid (zarr v3, OME-NGFF 0.5) of a textured image, and this
    project's pyramid (zarr v2, OME-NGFF 0.4) of ngff-zarr's s0, both mean-downsampled."""
    nz = pytest.importorskip("ngff_zarr")
    folder = tmp_path_factory.mktemp("pyramids")
    image = nz.to_ngff_image(
        em_like((8, 64, 64), seed=3),
        dims=["z", "y", "x"],
        scale=SCALE,
        translation=ORIGIN,
        axes_units={a: "nanometer" for a in "zyx"},
    )
    multiscales = nz.to_multiscales(
        image, scale_factors=[2, 4], method=nz.Methods.ITKWASM_BIN_SHRINK
    )
    theirs = folder / "ngff.ome.zarr"
    nz.to_ngff_zarr(str(theirs), multiscales)
    ours = folder / "ours.zarr"
    source = ZarrArrayConfig(name="s0", file_name=theirs, dataset="scale0/image")
    write(source, ArrayIdentifier(ours, "raw"), pyramid_levels=2, workers=1, progress=False,
          downsample="mean")  # fmt: skip
    return theirs, ours / "raw"


def _fetch(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def _multiscale(source: dict[str, Any]) -> dict[str, Any]:
    """The ``multiscales`` entry neuroglancer fetches for a ``zarr2://`` / ``zarr3://`` URL."""
    scheme, _, http = source["url"].partition("://")
    if scheme == "zarr3":
        return _fetch(f"{http}/zarr.json")["attributes"]["ome"]["multiscales"][0]  # type: ignore[no-any-return]
    return _fetch(f"{http}/.zattrs")["multiscales"][0]  # type: ignore[no-any-return]


def _placed_levels(source: dict[str, Any]) -> list[tuple[str, list[float], list[float]]]:
    """``(path, corner, voxel)`` of every level in the stored units, by neuroglancer's
    rules: a level's voxel 0 is centred on its translation, then the layer's source
    transform translates by its last column, in units of its output dimensions (which must
    be the source's own: its axes' units, the finest scale)."""
    meta = _multiscale(source)
    names = [a["name"] for a in meta["axes"]]
    transform = source.get("transform", {})
    output = transform.get("outputDimensions", {})
    first = {t["type"]: t for t in meta["datasets"][0]["coordinateTransformations"]}
    assert {a["unit"] for a in meta["axes"]} == {"nanometer"}
    per_unit = [1e-9] * len(names)
    expected = [[pytest.approx(s * 1e-9, rel=1e-12), "m"] for s in first["scale"]["scale"]]
    assert [output[n] for n in names] == expected
    shift = [
        row[-1] * output[name][0] / f
        for f, name, row in zip(per_unit, names, transform["matrix"], strict=True)
    ]
    levels = []
    for dataset in meta["datasets"]:
        found = {t["type"]: t for t in dataset["coordinateTransformations"]}
        scale = found["scale"]["scale"]
        translation = found.get("translation", {"translation": [0.0] * len(names)})
        corner = [
            t - s / 2 + d for t, s, d in zip(translation["translation"], scale, shift, strict=True)
        ]
        levels.append((dataset["path"], corner, scale))
    return levels


def test_both_pyramids_are_one_layer_each_placed_where_they_are_read(
    pyramids: tuple[Path, Path],
) -> None:
    theirs, ours = pyramids
    try:
        shown = load(str(theirs)) + load(str(ours))
        assert [source is not None for _, source in shown] == [True, True]
        viewer = build_viewer([a for a, _ in shown], sources=[s for _, s in shown])
        state = viewer.state.to_json()
        placed = {}
        for layer, container in zip(state["layers"], (theirs, ours.parent), strict=True):
            assert layer["type"] == "image"
            (source,) = layer["source"] if isinstance(layer["source"], list) else [layer["source"]]
            assert source["url"].startswith("zarr3://" if container == theirs else "zarr2://")
            levels = _placed_levels(source)
            assert len(levels) == 3
            group = "" if container == theirs else "raw/"
            for path, corner, scale in levels:
                read = ZarrArrayConfig(
                    name=path, file_name=container, dataset=f"{group}{path}", mode="r"
                ).create_array()
                assert scale == list(read.voxel_size)
                assert corner == pytest.approx(list(read.roi.begin), abs=1e-9), (path, corner)
            placed[container] = [(corner, scale) for _, corner, scale in levels]
        assert placed[theirs] == placed[ours.parent]
        assert placed[theirs][1] == ([800.0, 400.0, 400.0], [16.0, 8.0, 8.0])
    finally:
        stop_all()


def test_a_pyramid_without_units_is_shown_through_the_generic_path(
    pyramids: tuple[Path, Path], tmp_path: Path
) -> None:
    """ngff-zarr's default (axes without a unit): neuroglancer's own source would make the
    dimensions unitless and draw nothing in the nm space, so the finest level is served
    generically (at the nm this project reads for a missing unit)."""
    import shutil

    copy = tmp_path / "unitless.ome.zarr"
    shutil.copytree(pyramids[0], copy)
    group = json.loads((copy / "zarr.json").read_text())
    for axis in group["attributes"]["ome"]["multiscales"][0]["axes"]:
        del axis["unit"]
    (copy / "zarr.json").write_text(json.dumps(group))
    try:
        ((array, source),) = load(str(copy))
        assert (array.voxel_size, array.roi.begin, source) == ((8, 4, 4), (800, 400, 400), None)
    finally:
        stop_all()


def test_a_corner_aligned_pyramid_is_shown_through_the_generic_path(tmp_path: Path) -> None:
    """Levels all at the same translation (as this project wrote them before): no single
    transform makes neuroglancer place them as they are read, so the layer is the finest
    level, served generically, never misplaced."""
    from dacapo_arrays.viewer.ome import source_transform

    group = tmp_path / "old.zarr" / "raw"
    datasets = []
    for k in range(2):
        (group / f"s{k}").mkdir(parents=True)
        (group / f"s{k}" / ".zarray").write_text(
            json.dumps(
                {"zarr_format": 2, "shape": [4, 4, 4], "chunks": [4, 4, 4], "dtype": "|u1",
                 "compressor": None, "fill_value": 0, "filters": None, "order": "C"}
            )
        )  # fmt: skip
        datasets.append(
            {
                "path": f"s{k}",
                "coordinateTransformations": [
                    {"type": "scale", "scale": [4.0 * 2**k] * 3},
                    {"type": "translation", "translation": [64.0] * 3},
                ],
            }
        )
    axes = [{"name": a, "type": "space", "unit": "nanometer"} for a in "zyx"]
    (group / ".zattrs").write_text(
        json.dumps({"multiscales": [{"version": "0.4", "axes": axes, "datasets": datasets}]})
    )
    (group / ".zgroup").write_text('{"zarr_format": 2}')
    (group.parent / ".zgroup").write_text('{"zarr_format": 2}')
    levels = {
        f"s{k}": ZarrArrayConfig(
            name="l", file_name=group.parent, dataset=f"raw/s{k}"
        ).create_array()
        for k in range(2)
    }
    assert source_transform(group.parent, "raw", levels) is None
    try:
        ((array, source),) = load(str(group))
        assert (array.voxel_size, source) == ((4, 4, 4), None)
    finally:
        stop_all()


def _render(target: str, tmp_path: Path, zoom: float, name: str) -> np.ndarray:
    """Neuroglancer's xy view of ``target`` alone (one layer), 192x192 pixels at ``zoom``
    nm-per-finest-voxel... i.e. finest voxels per pixel, centred inside z voxel 3."""
    import neuroglancer

    from dacapo_arrays.viewer.browser import screenshot

    from .test_viewer_browser import rgb

    ((array, source),) = load(target)
    neuroglancer.set_server_bind_address("127.0.0.1", 0)
    try:
        viewer = build_viewer(
            [array], sources=[source], layout="xy", size=(192, 192), position=(826, 528, 528)
        )
        with viewer.txn() as state:
            state.cross_section_scale = zoom
        out = screenshot(viewer, tmp_path / f"{name}.png", size=(192, 192), timeout=180)
    finally:
        neuroglancer.stop()
        stop_all()
    return rgb(out).mean(axis=2)


def _best_shift(a: np.ndarray, b: np.ndarray, reach: int = 6) -> tuple[int, int]:
    """The pixel shift of ``b`` against ``a`` with the least mean absolute difference."""
    inner = slice(reach + 16, -reach - 16)
    errors = {
        (dy, dx): float(
            np.abs(a[inner, inner] - np.roll(b, (dy, dx), (0, 1))[inner, inner]).mean()
        )
        for dy in range(-reach, reach + 1)
        for dx in range(-reach, reach + 1)
    }
    return min(errors, key=errors.__getitem__)


@pytest.mark.browser
def test_neuroglancer_draws_both_pyramids_and_the_plain_level_in_the_same_place(
    pyramids: tuple[Path, Path], tmp_path: Path
) -> None:
    """Close up (s0, 8 pixels per voxel: half a voxel would be 4 pixels) the ngff-zarr and
    our pyramid layers draw exactly where the generic layer of ngff-zarr's s0 does; zoomed
    out (a coarse level drawn) the two pyramids still coincide."""
    from .test_viewer_browser import _browser

    _browser()
    theirs, ours = pyramids
    plain = _render(str(theirs / "scale0" / "image"), tmp_path, 0.125, "plain")
    assert plain.std() > 5, "the image should show"
    for name, target in (("theirs", theirs), ("ours", ours)):
        close = _render(str(target), tmp_path, 0.125, name)
        assert _best_shift(plain, close) == (0, 0), name
        assert np.abs(plain - close).mean() < 3, name
    far = [_render(str(t), tmp_path, 1.0, f"far-{i}") for i, t in enumerate((theirs, ours))]
    assert far[0].std() > 5
    assert _best_shift(far[0], far[1], reach=3) == (0, 0)
