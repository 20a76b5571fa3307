"""What other tools read from a write's output: napari / ome-zarr-py, n5-viewer, zarr 3."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorstore as ts

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    GeometryError,
    ZarrArray,
    ZarrArrayConfig,
)
from dacapo_arrays.blockwise import write
from dacapo_arrays.testing.sources import numpy_truth, zarr_source


def _read(path: Path) -> dict:
    return json.loads(path.read_text())


def _napari_layer_type(group: Path) -> str:
    """What napari-ome-zarr makes of ``group``: ``labels`` when ome-zarr-py's reader finds
    ``image-label`` (its Label spec), else ``image``."""
    from ome_zarr.io import parse_url
    from ome_zarr.reader import Label, Multiscales, Reader

    nodes = list(Reader(parse_url(str(group)))())
    assert nodes, f"ome-zarr-py found no image in {group}"
    node = nodes[0]
    assert node.load(Multiscales) is not None
    return "labels" if node.load(Label) is not None else "image"


@pytest.fixture
def intensities(tmp_path: Path) -> ZarrArrayConfig:
    truth = numpy_truth(
        shape=(16, 16, 16), dtype="float32", voxel_size=(8, 8, 8), offset=(0, 0, 0), seed=4
    )
    return zarr_source(tmp_path, truth, name="raw", container="raw_source.zarr")


def test_labels_open_as_labels_in_napari_and_intensities_never(
    tmp_path: Path, labels, intensities
) -> None:
    config, truth = labels
    out = tmp_path / "out.zarr"
    write(config, ArrayIdentifier(out, "seg"), workers=1, progress=False)
    write(intensities, ArrayIdentifier(out, "raw"), workers=1, progress=False)
    assert _napari_layer_type(out / "seg") == "labels"
    assert _napari_layer_type(out / "raw") == "image"
    assert "image-label" not in _read(out / "raw" / ".zattrs")
    assert not (out / ".zattrs").exists()  # the root is not hijacked by either image
    seg = ZarrArray.open_from_array_identifier(ArrayIdentifier(out, "seg/s0"))
    assert seg.is_labels is True
    np.testing.assert_array_equal(seg[truth.roi], truth[truth.roi])


def test_a_mask_gets_a_colour_and_zarr3_labels_are_ome_0_5(tmp_path: Path) -> None:
    truth = numpy_truth(
        shape=(8, 8, 8), dtype="bool", voxel_size=(4, 4, 4), offset=(0, 0, 0), seed=2
    )
    config = zarr_source(tmp_path, truth, name="mask")
    out = tmp_path / "out.zarr"
    write(config, ArrayIdentifier(out, "mask", format="zarr3"), workers=1, progress=False)
    ome = _read(out / "mask" / "zarr.json")["attributes"]["ome"]
    assert ome["version"] == "0.5"
    assert ome["image-label"]["colors"] == [{"label-value": 1, "rgba": [255, 0, 255, 255]}]
    assert [d["path"] for d in ome["multiscales"][0]["datasets"]] == ["s0"]


def test_the_earlier_one_array_layout_still_reads(tmp_path: Path, labels) -> None:
    """Outputs written before NAME/s0: the array at NAME, the root group its OME image."""
    _, truth = labels
    old = zarr_source(tmp_path, truth, name="seg", container="old.zarr")
    assert "multiscales" in _read(tmp_path / "old.zarr" / ".zattrs")
    array = old.to_array()
    assert (array.voxel_size, array.roi) == (truth.voxel_size, truth.roi)
    np.testing.assert_array_equal(array[truth.roi], truth[truth.roi])


def test_n5_pyramids_carry_what_n5_viewer_reads(tmp_path: Path, labels) -> None:
    config, truth = labels
    out = tmp_path / "out.n5"
    write(config, ArrayIdentifier(out, "seg"), pyramid_levels=2, workers=2, progress=False)
    group = _read(out / "seg" / "attributes.json")
    assert group["scales"] == [[1, 1, 1], [2, 2, 2], [4, 4, 4]]
    assert group["pixelResolution"] == {"dimensions": [4, 4, 8], "unit": "nm"}  # x, y, z
    for k in range(3):
        level = _read(out / "seg" / f"s{k}" / "attributes.json")
        assert level["downsamplingFactors"] == group["scales"][k]
        # n5-viewer's rule: voxel size = pixelResolution x downsamplingFactors (x, y, z)
        n5_viewer = [
            r * f
            for r, f in zip(
                level["pixelResolution"]["dimensions"], level["downsamplingFactors"], strict=True
            )
        ]
        ours = ZarrArray.open_from_array_identifier(ArrayIdentifier(out, f"seg/s{k}"))
        assert n5_viewer[::-1] == list(truth.voxel_size * 2**k) == list(ours.voxel_size)
    s1 = ts.open({"driver": "n5", "kvstore": {"driver": "file", "path": str(out / "seg/s1")}})
    ours = ZarrArray.open_from_array_identifier(ArrayIdentifier(out, "seg/s1"))
    assert s1.result().shape == tuple(ours.shape)[::-1]


def _sharded(tmp_path: Path, labels) -> tuple[Path, object]:
    config, truth = labels
    out = tmp_path / "out.zarr"
    result = write(config, ArrayIdentifier(out, "seg"), chunk_shape=(8, 8, 8),
                   shard_shape=(16, 16, 16), pyramid_levels=1, workers=2,
                   progress=False)  # fmt: skip
    assert result.levels[0].blocks == 2 * 3 * 3  # blocks are whole shards (24 x 40 x 36)
    return out, truth


def test_sharded_zarr3_output_is_read_by_tensorstore(tmp_path: Path, labels) -> None:
    out, truth = _sharded(tmp_path, labels)
    document = _read(out / "seg" / "s0" / "zarr.json")
    (codec,) = document["codecs"]
    assert codec["name"] == "sharding_indexed"
    assert codec["configuration"]["chunk_shape"] == [8, 8, 8]
    assert document["chunk_grid"]["configuration"]["chunk_shape"] == [16, 16, 16]
    assert _read(out / "seg" / "zarr.json")["attributes"]["ome"]["version"] == "0.5"
    handle = ts.open(
        {"driver": "zarr3", "kvstore": {"driver": "file", "path": str(out / "seg/s0")}}
    )
    np.testing.assert_array_equal(handle.result().read().result(), truth[truth.roi])


@pytest.mark.slow
def test_sharded_zarr3_output_is_read_by_zarr_python_3(tmp_path: Path, labels) -> None:
    """zarr 3 cannot share the dev environment with zarr 2: an isolated ``uv run``."""
    out, truth = _sharded(tmp_path, labels)
    np.save(tmp_path / "truth.npy", truth[truth.roi])
    script = (
        "import sys, numpy, zarr\n"
        "group = zarr.open_group(sys.argv[1], mode='r')\n"
        "s0 = group['seg/s0']\n"
        "assert s0.shards == (16, 16, 16), s0.shards\n"
        "assert s0.chunks == (8, 8, 8), s0.chunks\n"
        "numpy.testing.assert_array_equal(s0[...], numpy.load(sys.argv[2]))\n"
        "ome = group['seg'].attrs['ome']\n"
        "assert 'image-label' in ome, ome\n"
        "print('zarr', zarr.__version__, 'ok')\n"
    )
    uv = [sys.executable, "-m", "uv"] if _has_uv_module() else ["uv"]
    done = subprocess.run(
        [*uv, "run", "--no-project", "--with", "zarr>=3,<4", "--with", "numpy", "python", "-c",
         script, str(out), str(tmp_path / "truth.npy")],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    if done.returncode != 0 and _no_network(done.stderr):
        pytest.skip(f"zarr-python 3 could not be installed (no network): {done.stderr[-300:]}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("zarr 3")


#: What uv says when it cannot reach the package index (and zarr 3 is not in its cache).
NO_NETWORK = re.compile(
    r"dns error|failed to lookup address|network is unreachable|connection refused|"
    r"error sending request|failed to fetch|operation timed out|network was disabled",
    re.IGNORECASE,
)


def _no_network(stderr: str) -> bool:
    return NO_NETWORK.search(stderr) is not None


def _has_uv_module() -> bool:
    import importlib.util

    return importlib.util.find_spec("uv") is not None


def test_shards_are_whole_chunks_and_only_zarr3(tmp_path: Path, labels) -> None:
    config, _ = labels
    with pytest.raises(GeometryError, match=r"shard_shape \(12, 16, 16\) is not a whole number"):
        write(config, ArrayIdentifier(tmp_path / "a.zarr", "x"), chunk_shape=(8, 8, 8),
              shard_shape=(12, 16, 16), progress=False)  # fmt: skip
    with pytest.raises(GeometryError, match=r"shards are a zarr v3 feature.*written as n5"):
        write(config, ArrayIdentifier(tmp_path / "a.n5", "x"), chunk_shape=(8, 8, 8),
              shard_shape=(16, 16, 16), progress=False)  # fmt: skip
    assert not (tmp_path / "a.zarr").exists()


def test_pyramid_levels_record_their_method_for_use_pyramid(tmp_path: Path, intensities) -> None:
    """A mean level stands in for interp_order=1 only when the config asks for it."""
    from dacapo.experiments.datasplits.datasets.arrays import ResampledArrayConfig
    from dacapo.experiments.datasplits.datasets.arrays.resampled_array import (
        PYRAMID_ATTR,
        PYRAMID_METHOD_ATTR,
    )

    out = tmp_path / "out.zarr"
    write(
        intensities,
        ArrayIdentifier(out, "raw"),
        workers=1,
        progress=False,
        pyramid_levels=1,
        downsample="mean",
    )
    s1 = ZarrArray.open_from_array_identifier(ArrayIdentifier(out, "raw/s1"))
    assert s1.attrs[PYRAMID_METHOD_ATTR] == "mean"
    source = ZarrArrayConfig(name="raw", file_name=out, dataset="raw/s0")
    factors = {"upsample": (1, 1, 1), "downsample": (2, 2, 2)}
    mean = ResampledArrayConfig(
        name="r", source_array_config=source, interp_order=1, use_pyramid=True, **factors
    ).create_array()
    assert mean.attrs[PYRAMID_ATTR] == "raw/s1"
    for order, use in ((1, False), (0, True)):
        computed = ResampledArrayConfig(
            name="r", source_array_config=source, interp_order=order, use_pyramid=use, **factors
        ).create_array()
        assert PYRAMID_ATTR not in computed.attrs
