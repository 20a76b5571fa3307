"""A CellMap-shaped container, end to end, the documented way (docs/real-data.md).

EM at 5.24 x 4 x 4 nm with a 3-level centre-aligned pyramid (fibsem-tools' OME-NGFF 0.4 and
COSEM ``transform``), a labels crop at 2.62 x 2 x 2 nm with CellMap annotation metadata, zstd
as numcodecs writes it. Opened with ``world_unit="0.01 nm"`` on every stored config.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import zarr
from funlib.geometry import Coordinate
from numcodecs import Zstd

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    BinarizeArrayConfig,
    MetadataError,
    ResampledArrayConfig,
    ZarrArrayConfig,
)
from dacapo_arrays.blockwise import write

EM_SCALE = [5.24, 4.0, 4.0]
EM_ORIGIN = [83.84, 64.0, 64.0]  # on the grid of every level
LABEL_SCALE = [2.62, 2.0, 2.0]
LABEL_ORIGIN = [94.32, 72.0, 72.0]  # inside the EM, on both grids
WORLD = "0.01 nm"


def _axes() -> list[dict[str, str]]:
    return [{"name": a, "type": "space", "unit": "nanometer"} for a in "zyx"]


def _level(path: str, scale: list[float], translation: list[float]) -> dict:  # type: ignore[type-arg]
    return {
        "path": path,
        "coordinateTransformations": [
            {"type": "scale", "scale": scale},
            {"type": "translation", "translation": translation},
        ],
    }


def _write(
    group: zarr.Group, name: str, data: np.ndarray, scale: list[float], shift: list[float]
) -> None:
    array = group.create_dataset(name, data=data, chunks=(4, 8, 8), compressor=Zstd(level=6))
    array.attrs["transform"] = {
        "axes": ["z", "y", "x"],
        "ordering": "C",
        "scale": scale,
        "translate": shift,
        "units": ["nm"] * 3,
    }


@pytest.fixture(scope="module")
def cellmap(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, np.ndarray, np.ndarray]:
    path = tmp_path_factory.mktemp("cellmap") / "jrc_cellmap.zarr"
    rng = np.random.default_rng(5)
    em = rng.integers(0, 255, (8, 16, 16), dtype=np.uint8)
    root = zarr.open_group(str(path), mode="w")
    raw = root.require_group("recon-1/em/fibsem-uint8")
    levels = []
    data = em
    for k in range(3):
        scale = [s * 2**k for s in EM_SCALE]
        shift = [
            round(o + (s - s0) / 2, 6) for o, s, s0 in zip(EM_ORIGIN, scale, EM_SCALE, strict=True)
        ]
        _write(raw, f"s{k}", data, scale, shift)
        levels.append(_level(f"s{k}", scale, shift))
        data = data.reshape(data.shape[0] // 2, 2, data.shape[1] // 2, 2, -1, 2).mean((1, 3, 5))
        data = data.astype(np.uint8)
    raw.attrs["multiscales"] = [
        {"version": "0.4", "name": "fibsem-uint8", "axes": _axes(), "datasets": levels}
    ]
    ids = rng.integers(0, 4, (8, 12, 12), dtype=np.uint64)
    crop = root.require_group("recon-1/labels/groundtruth/crop1/all")
    _write(crop, "s0", ids, LABEL_SCALE, LABEL_ORIGIN)
    crop.attrs.update(
        {
            "multiscales": [
                {
                    "version": "0.4",
                    "name": "all",
                    "axes": _axes(),
                    "datasets": [_level("s0", LABEL_SCALE, LABEL_ORIGIN)],
                }
            ],
            "cellmap": {
                "annotation": {
                    "annotation_type": {"type": "instance_segmentation"},
                    "class_name": "all",
                    "complement_counts": {"absent": 0},
                }
            },
        }
    )
    return path, em, ids


def _em(path: Path, level: int = 0, world: str | None = WORLD) -> ZarrArrayConfig:
    return ZarrArrayConfig(
        name=f"em-s{level}",
        file_name=path,
        dataset=f"recon-1/em/fibsem-uint8/s{level}",
        mode="r",
        world_unit=world,
    )


def _labels(path: Path) -> ZarrArrayConfig:
    return ZarrArrayConfig(
        name="labels",
        file_name=path,
        mode="r",
        world_unit=WORLD,
        dataset="recon-1/labels/groundtruth/crop1/all/s0",
    )


def test_without_a_world_unit_the_error_names_the_fix(cellmap) -> None:
    path, _, _ = cellmap
    with pytest.raises(
        MetadataError,
        match=r"got \[5\.24, 4\.0, 4\.0\] \(nanometer\).*"
        r"5\.24 nm is not whole\. Nothing is rounded: open it exactly with "
        r"ZarrArrayConfig\(world_unit='0\.01 nm'\)",
    ):
        _em(path, world=None).create_array()


def test_every_level_and_the_crop_open_exactly(cellmap) -> None:
    path, em, ids = cellmap
    levels = [_em(path, k).create_array() for k in range(3)]
    assert [lv.voxel_size for lv in levels] == [
        (524, 400, 400),
        (1048, 800, 800),
        (2096, 1600, 1600),
    ]
    assert all(lv.roi.begin == (8384, 6400, 6400) for lv in levels)
    np.testing.assert_array_equal(levels[0][levels[0].roi], em)
    labels = _labels(path).create_array()
    assert (labels.voxel_size, labels.roi.begin) == ((262, 200, 200), (9432, 7200, 7200))
    assert labels.is_labels is True
    assert labels.world_unit == WORLD
    np.testing.assert_array_equal(labels[labels.roi], ids)


def _tree(path: Path) -> ResampledArrayConfig:
    """mito (labels 1 and 2) of the crop, resampled onto the EM grid."""
    return ResampledArrayConfig(
        name="mito-on-em",
        source_array_config=BinarizeArrayConfig(
            name="mito", source_array_config=_labels(path), groupings=[("mito", [1, 2])]
        ),
        upsample=Coordinate(1, 1, 1),
        downsample=Coordinate(2, 2, 2),
        interp_order=0,
    )


def test_binarize_and_resample_tree_reads_exactly(cellmap) -> None:
    path, _, ids = cellmap
    tree = _tree(path)
    assert tree.verify()[0]
    array = tree.create_array()
    em = _em(path).create_array()
    assert array.voxel_size == em.voxel_size
    assert em.roi.contains(array.roi)
    expected = np.isin(ids, [1, 2]).astype(np.uint8)[1::2, 1::2, 1::2]
    np.testing.assert_array_equal(array[array.roi][0], expected)


def test_check_info_write_and_view(cellmap, tmp_path: Path, cli) -> None:
    path, _, _ = cellmap
    config = tmp_path / "em.yaml"
    _em(path, 1).to_file(config)
    checked = cli("check", str(config))
    assert checked.returncode == 0, checked.stderr
    info = cli("info", str(config))
    assert info.returncode == 0, info.stderr
    assert "voxel size  1048 x 800 x 800 0.01 nm" in info.stdout
    assert "ROI         [8384:12576, 6400:12800, 6400:12800] (0.01 nm)" in info.stdout
    assert "centre-aligned" in info.stdout
    # a blockwise write of the binarize + resample tree, from the command line
    tree = tmp_path / "mito.yaml"
    _tree(path).to_file(tree)
    out = tmp_path / "out.zarr"
    written = cli(
        "write", str(tree), str(out), "--pyramid", "1", "--workers", "1", "--no-progress"
    )
    assert written.returncode == 0, written.stderr
    s1 = ZarrArrayConfig(name="s1", file_name=out, dataset="mito-on-em/s1", world_unit=WORLD)
    assert s1.create_array().voxel_size == (1048, 800, 800)
    output = ZarrArrayConfig(name="out", file_name=out, dataset="mito-on-em/s0", world_unit=WORLD)
    output.to_file(tmp_path / "out.yaml")
    info = cli("info", str(tmp_path / "out.yaml"))
    assert info.returncode == 0, info.stderr
    assert "voxel size  524 x 400 x 400 0.01 nm" in info.stdout
    # the viewer converts the world unit to nm for neuroglancer
    from dacapo_arrays.viewer.state import build_viewer

    arrays = [_em(path).create_array(), _labels(path).create_array(), output.create_array()]
    viewer = build_viewer(arrays)
    dimensions = viewer.state.dimensions
    assert [round(d.scale * 1e9, 6) for d in dimensions] == [2.62, 2.0, 2.0]
    assert [d.unit for d in dimensions] == ["m", "m", "m"]


def _stored(path: Path, key: str) -> dict:  # type: ignore[type-arg]
    return json.loads((path / key).read_text())


@pytest.mark.parametrize("fmt", ["zarr2", "zarr3", "n5"])
def test_blockwise_write_of_the_tree_reopens_exactly(cellmap, tmp_path: Path, fmt: str) -> None:
    path, _, ids = cellmap
    tree = _tree(path)
    expected = tree.create_array()
    out = tmp_path / ("out.n5" if fmt == "n5" else "out.zarr")
    # zarr v2 on daisy worker processes (the plan, world unit included, travels as JSON)
    here = fmt != "zarr2"
    write(
        tree, ArrayIdentifier(out, "mito", format=fmt), progress=False, in_process=here, workers=1
    )
    written = ZarrArrayConfig(
        name="out", file_name=out, dataset="mito/s0", world_unit=WORLD
    ).create_array()
    assert (written.voxel_size, written.roi) == (expected.voxel_size, expected.roi)
    assert written.voxel_size == (524, 400, 400)
    assert written.world_unit == WORLD
    mito = np.isin(ids, [1, 2]).astype(np.uint8)[1::2, 1::2, 1::2]
    np.testing.assert_array_equal(written[written.roi], mito)
    # stored in nm, exactly: 524 x 0.01 nm is 5.24 nm
    begin = [b / 100 for b in expected.roi.begin]
    if fmt == "n5":
        attributes = _stored(out, "mito/s0/attributes.json")
        assert attributes["pixelResolution"] == {"dimensions": [4, 4, 5.24], "unit": "nm"}
        assert attributes["offset"] == begin[::-1]
    else:
        group = _stored(out, "mito/.zattrs" if fmt == "zarr2" else "mito/zarr.json")
        ome = group if fmt == "zarr2" else group["attributes"]["ome"]
        (multiscale,) = ome["multiscales"]
        assert [a["unit"] for a in multiscale["axes"]] == ["nanometer"] * 3
        assert multiscale["datasets"][0]["coordinateTransformations"] == [
            {"type": "scale", "scale": [5.24, 4, 4]},
            {"type": "translation", "translation": begin},
        ]
    # in nm it is refused as the source was, naming the same fix
    with pytest.raises(MetadataError, match=r"ZarrArrayConfig\(world_unit='0\.01 nm'\)"):
        ZarrArrayConfig(name="out", file_name=out, dataset="mito/s0").create_array()


def test_pyramid_write_in_a_world_unit_lines_up_with_the_source(cellmap, tmp_path) -> None:
    path, em, _ = cellmap
    out = tmp_path / "em.zarr"
    write(
        _em(path), ArrayIdentifier(out, "em"), pyramid_levels=2, downsample="mean", progress=False
    )
    expected = em
    for k in range(3):
        level = ZarrArrayConfig(
            name=f"s{k}", file_name=out, dataset=f"em/s{k}", world_unit=WORLD
        ).create_array()
        source = _em(path, k).create_array()
        assert (level.voxel_size, level.roi) == (source.voxel_size, source.roi)
        np.testing.assert_array_equal(level[level.roi], expected)
        # each level: the 2x2x2 mean of the level below, rounded half to even
        blocks = expected.reshape(expected.shape[0] // 2, 2, expected.shape[1] // 2, 2, -1, 2)
        expected = np.rint(blocks.mean((1, 3, 5))).astype(np.uint8)
    (multiscale,) = _stored(out, "em/.zattrs")["multiscales"]
    # centre-aligned like fibsem-tools' own levels: s1 at 83.84 + (10.48 - 5.24) / 2
    assert [d["coordinateTransformations"] for d in multiscale["datasets"]] == [
        [
            {"type": "scale", "scale": [5.24 * 2**k, 4 * 2**k, 4 * 2**k]},
            {"type": "translation", "translation": translation},
        ]
        for k, translation in enumerate([[83.84, 64, 64], [86.46, 66, 66], [91.7, 70, 70]])
    ]


def test_write_refuses_a_target_in_another_world_unit(cellmap, tmp_path: Path) -> None:
    path, _, _ = cellmap
    with pytest.raises(ValueError, match=r"target's world_unit 'nm' is not the world unit"):
        write(
            _em(path),
            ArrayIdentifier(tmp_path / "o.zarr", "em", world_unit="nm"),
            progress=False,
        )
