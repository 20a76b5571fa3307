"""Pyramid levels written by ngff-zarr, ome-zarr-py and this project's blockwise writer.

The placement rule (``_storage/placement.py``) must satisfy, on the writers' own files:
(a) every level's ROI begins and ends less than one of its voxels away from s0's;
(b) a bright s0 voxel lies inside the s1 voxel that 2x mean downsampling put it in;
(c) the same pyramid written by this project and by ngff-zarr / ome-zarr-py lines up
    voxel-exactly, level by level.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Coordinate, Roi

from dacapo.experiments.datasplits.datasets.arrays import ZarrArray, ZarrArrayConfig
from dacapo.experiments.datasplits.datasets.arrays.zarr_array import NOTES

SCALE = {"z": 8.0, "y": 4.0, "x": 4.0}
ORIGIN = {"z": 800.0, "y": 400.0, "x": 400.0}
SHAPE = (8, 24, 24)
FEATURE = (3, 13, 6)  # an s0 voxel index


def _volume() -> np.ndarray:
    data = np.full(SHAPE, 10, dtype=np.uint8)
    data[FEATURE] = 250
    return data


def _open(container: Path, dataset: str) -> ZarrArray:
    return ZarrArrayConfig(
        name=dataset, file_name=container, dataset=dataset, mode="r"
    ).create_array()


def _voxel_roi(array: ZarrArray, index: tuple[int, ...]) -> Roi:
    return Roi(array.roi.offset + Coordinate(index) * array.voxel_size, array.voxel_size)


def _check_levels(levels: list[ZarrArray]) -> None:
    s0 = levels[0]
    feature = _voxel_roi(s0, FEATURE)
    assert s0[feature].item() == 250
    for level in levels[1:]:
        # (a) begin and end within one voxel of this level
        for a, b in ((level.roi.begin, s0.roi.begin), (level.roi.end, s0.roi.end)):
            assert all(abs(x - y) < v for x, y, v in zip(a, b, level.voxel_size, strict=True))
        # (b) the brightest voxel of the level contains the feature
        data = level[level.roi]
        brightest = np.unravel_index(int(np.argmax(data)), data.shape)
        assert _voxel_roi(level, tuple(int(i) for i in brightest)).contains(feature)


@pytest.fixture(scope="module")
def ngff_zarr_pyramid(tmp_path_factory: pytest.TempPathFactory) -> Path:
    nz = pytest.importorskip("ngff_zarr")
    image = nz.to_ngff_image(_volume(), dims=["z", "y", "x"], scale=SCALE, translation=ORIGIN)
    pyramid = nz.to_multiscales(image, scale_factors=[2, 4], method=nz.Methods.ITKWASM_BIN_SHRINK)
    path = tmp_path_factory.mktemp("ngff") / "ngff.ome.zarr"
    nz.to_ngff_zarr(str(path), pyramid)
    return path


def test_ngff_zarr_levels_line_up(ngff_zarr_pyramid: Path) -> None:
    """ngff-zarr (zarr v3, OME-NGFF 0.5, zstd) writes s1 at 804/402/402 nm over s0 at
    800/400/400 nm."""
    group = json.loads((ngff_zarr_pyramid / "zarr.json").read_text())
    datasets = group["attributes"]["ome"]["multiscales"][0]["datasets"]
    assert datasets[1]["coordinateTransformations"][1]["translation"] == [804.0, 402.0, 402.0]
    levels = [_open(ngff_zarr_pyramid, d["path"]) for d in datasets]
    assert [lv.voxel_size for lv in levels] == [(8, 4, 4), (16, 8, 8), (32, 16, 16)]
    assert all(lv.roi.begin == (800, 400, 400) for lv in levels)
    _check_levels(levels)
    assert any("centre-aligned" in note for note in levels[1].attrs[NOTES])
    assert NOTES not in levels[0].attrs


def test_ome_zarr_py_levels_line_up(tmp_path: Path) -> None:
    """ome-zarr-py's writer with centre-aligned translations (as ngff-zarr computes them),
    and with none at all (every level at 0: corner-aligned, as its local-mean data is)."""
    pytest.importorskip("ome_zarr")
    import zarr
    from ome_zarr.io import parse_url
    from ome_zarr.scale import Scaler
    from ome_zarr.writer import write_image

    for name, shifts in (("centred.zarr", True), ("plain.zarr", False)):
        root = zarr.group(store=parse_url(tmp_path / name, mode="w").store)
        transforms = []
        for k, f in enumerate((1, 2, 4)):
            scale = [8.0, 4.0 * f, 4.0 * f]
            shift = [800.0, 400.0 + (4.0 * f - 4.0) / 2, 400.0 + (4.0 * f - 4.0) / 2]
            transforms.append(
                [{"type": "scale", "scale": scale}]
                + ([{"type": "translation", "translation": shift}] if shifts else [])
            )
            assert k < 3
        scaler = Scaler(max_layer=2, method="local_mean")
        write_image(
            _volume(), root, axes="zyx", scaler=scaler, coordinate_transformations=transforms
        )
        levels = [_open(tmp_path / name, str(k)) for k in range(3)]
        begin = (800, 400, 400) if shifts else (0, 0, 0)
        assert all(lv.roi.begin == begin for lv in levels)
        assert [lv.voxel_size for lv in levels] == [(8, 4, 4), (8, 8, 8), (8, 16, 16)]
        _check_levels(levels)


def test_the_blockwise_writer_lines_up_with_ngff_zarr(
    ngff_zarr_pyramid: Path, tmp_path: Path
) -> None:
    """Our writer's pyramid of the same s0 (now written centre-aligned) against ngff-zarr's:
    the same voxel sizes and ROIs per level, and translations a viewer places alike."""
    from dacapo.experiments.datasplits.datasets.arrays import ArrayIdentifier
    from dacapo_arrays.blockwise import write

    source = ZarrArrayConfig(name="s0", file_name=ngff_zarr_pyramid, dataset="scale0/image")
    target = ArrayIdentifier(tmp_path / "ours.zarr", "raw")
    write(source, target, pyramid_levels=1, workers=1, progress=False, downsample="mean")
    ours = [_open(tmp_path / "ours.zarr", f"raw/s{k}") for k in range(2)]
    theirs = [_open(ngff_zarr_pyramid, f"scale{k}/image") for k in range(2)]
    assert [(a.voxel_size, a.roi.begin) for a in ours] == [
        (Coordinate(8, 4, 4), Coordinate(800, 400, 400)),
        (Coordinate(16, 8, 8), Coordinate(800, 400, 400)),
    ]
    assert [(a.voxel_size, a.roi) for a in ours] == [(b.voxel_size, b.roi) for b in theirs]
    document = json.loads((tmp_path / "ours.zarr" / "raw" / ".zattrs").read_text())
    written = [
        d["coordinateTransformations"][1]["translation"]
        for d in document["multiscales"][0]["datasets"]
    ]
    group = json.loads((ngff_zarr_pyramid / "zarr.json").read_text())
    expected = [
        d["coordinateTransformations"][1]["translation"]
        for d in group["attributes"]["ome"]["multiscales"][0]["datasets"][:2]
    ]
    assert written == expected
    _check_levels(ours)


def test_old_corner_aligned_pyramids_still_open(tmp_path: Path) -> None:
    """Pyramids this project wrote before (every level's translation = s0's) keep their ROIs."""
    group = tmp_path / "old.zarr" / "raw"
    datasets = []
    for k in range(2):
        (group / f"s{k}").mkdir(parents=True)
        (group / f"s{k}" / ".zarray").write_text(
            json.dumps(
                {
                    "zarr_format": 2,
                    "shape": [4, 4, 4],
                    "chunks": [4, 4, 4],
                    "dtype": "|u1",
                    "compressor": None,
                    "fill_value": 0,
                    "filters": None,
                    "order": "C",
                }
            )
        )
        scale = [4 * 2**k] * 3
        datasets.append(
            {
                "path": f"s{k}",
                "coordinateTransformations": [
                    {"type": "scale", "scale": scale},
                    {"type": "translation", "translation": [64, 64, 64]},
                ],
            }
        )
    (tmp_path / "old.zarr" / ".zgroup").write_text('{"zarr_format": 2}')
    (group / ".zgroup").write_text('{"zarr_format": 2}')
    axes = [{"name": a, "type": "space", "unit": "nanometer"} for a in "zyx"]
    (group / ".zattrs").write_text(
        json.dumps(
            {
                "multiscales": [
                    {"version": "0.4", "name": "raw", "axes": axes, "datasets": datasets}
                ]
            }
        )
    )
    s1 = _open(tmp_path / "old.zarr", "raw/s1")
    assert s1.roi == Roi((64, 64, 64), (32, 32, 32))
    assert NOTES not in s1.attrs
