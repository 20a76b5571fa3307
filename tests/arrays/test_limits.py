"""Size limits: oversized reads, dask graphs and writes are refused before any allocation."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayError,
    ArrayIdentifier,
    BinarizeArrayConfig,
    IntensitiesArrayConfig,
    SumArrayConfig,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays._limits import (
    READ_SETTING,
    RequestTooLargeError,
    check_read,
    format_bytes,
    max_read_bytes,
    set_limits,
)
from dacapo_arrays.blockwise import write
from dacapo_arrays.testing import all_cases

#: 10^15 voxels: metadata only, no chunk is ever stored.
HUGE = (100_000, 100_000, 100_000)
CASES = all_cases()


@pytest.fixture(autouse=True)
def _default_limits():
    set_limits()
    yield
    set_limits()


def huge_zarr(folder: Path, dtype: str = "uint8") -> ZarrArrayConfig:
    """A real zarr v2 dataset of 10^15 voxels (only its .zarray exists)."""
    dataset = folder / "huge.zarr" / "raw"
    dataset.mkdir(parents=True)
    (folder / "huge.zarr" / ".zgroup").write_text('{"zarr_format": 2}')
    zarray = {
        "zarr_format": 2, "shape": list(HUGE), "chunks": [64, 64, 64],
        "dtype": np.dtype(dtype).str, "compressor": None, "fill_value": 0, "order": "C",
        "filters": None,
    }  # fmt: skip
    (dataset / ".zarray").write_text(json.dumps(zarray))
    return ZarrArrayConfig(name="huge", file_name=folder / "huge.zarr", dataset="raw")


def virtual_kinds(source: ZarrArrayConfig) -> list:
    return [
        source,
        BinarizeArrayConfig(name="b", source_array_config=source, groupings=[("a", [1])]),
        IntensitiesArrayConfig(name="i", source_array_config=source, min=0, max=255),
        SumArrayConfig(name="s", source_array_configs=[source, source]),
    ]


def test_a_read_of_a_petavoxel_raises_at_once_for_zarr_and_virtual_kinds(tmp_path: Path) -> None:
    for config in virtual_kinds(huge_zarr(tmp_path)):
        array = config.create_array()
        started = time.monotonic()
        with pytest.raises(RequestTooLargeError, match=READ_SETTING) as caught:
            array[array.roi]
        assert time.monotonic() - started < 1
        assert isinstance(caught.value, ArrayError)
        assert isinstance(caught.value, MemoryError)
        assert "[0:100000, 0:100000, 0:100000]" in str(caught.value)
        assert format_bytes(max_read_bytes()) in str(caught.value)


def test_the_message_names_request_bytes_limit_and_setting(tmp_path: Path) -> None:
    array = huge_zarr(tmp_path, "uint16").create_array()
    set_limits(read_bytes=1024)
    np.testing.assert_array_equal(array[Roi((0, 0, 0), (8, 8, 8))], 0)  # 1024 bytes fit
    with pytest.raises(RequestTooLargeError) as caught:
        array[Roi((0, 0, 0), (8, 8, 16))]  # 2048 bytes do not
    message = str(caught.value)
    assert message.startswith(
        "reading ROI [0:8, 0:8, 0:16] (nm) of ZarrArray 'huge' needs 2.0 KiB"
    )
    assert "8 x 8 x 16 voxels of uint16" in message
    assert "limit of 1.0 KiB" in message
    assert f"environment variable {READ_SETTING}" in message


@pytest.mark.parametrize("spec", CASES, ids=[c.id for c in CASES])
def test_every_kind_checks_its_reads(tmp_path: Path, spec) -> None:
    """Each conformance case, read whole under a limit one byte below what it returns."""
    config, truth = spec.make(tmp_path)
    array = config.create_array()
    set_limits(read_bytes=truth[truth.roi].nbytes - 1)
    with pytest.raises(RequestTooLargeError):
        array[array.roi]


def test_the_setting_comes_from_the_environment(tmp_path: Path) -> None:
    config = huge_zarr(tmp_path)
    code = (
        "import sys; from funlib.geometry import Roi\n"
        "from dacapo.experiments.datasplits.datasets.arrays import ZarrArrayConfig\n"
        f"a = ZarrArrayConfig(name='h', file_name={str(config.file_name)!r}, dataset='raw')"
        ".create_array()\n"
        "a[Roi((0, 0, 0), (4, 4, 4))]\n"
        "try:\n    a[Roi((0, 0, 0), (4, 4, 8))]\nexcept MemoryError as e:\n    print(e)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={READ_SETTING: "64", "PATH": ""},
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert "limit of 64 B" in done.stdout


def test_a_bad_setting_is_named() -> None:
    code = (
        "from dacapo.experiments.datasplits.datasets.arrays._limits import max_read_bytes\n"
        "max_read_bytes()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={READ_SETTING: "lots"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert f"{READ_SETTING}='lots' is not a positive number" in done.stderr


def test_to_dask_of_a_petavoxel_is_refused_unless_forced(tmp_path: Path) -> None:
    array = huge_zarr(tmp_path).create_array()
    started = time.monotonic()
    with pytest.raises(RequestTooLargeError, match="force=True"):
        array.to_dask()
    assert time.monotonic() - started < 1
    set_limits(blocks=10**12)  # allowed: the graph of a small crop is built as before
    small = SumArrayConfig(name="s", source_array_configs=[huge_zarr(tmp_path / "b")])
    assert small.create_array().to_dask(chunks=(50_000,) * 3, force=True).numblocks == (2, 2, 2)


def test_write_of_a_petavoxel_is_refused_before_anything_is_created(tmp_path: Path) -> None:
    config = huge_zarr(tmp_path)
    output = tmp_path / "out.zarr"
    started = time.monotonic()
    with pytest.raises(RequestTooLargeError, match="blocks, more than the limit"):
        write(config, ArrayIdentifier(output, "copy"), progress=False)
    assert time.monotonic() - started < 5
    assert not output.exists()
    assert not (tmp_path / "out.zarr.blocks").exists()


def test_check_read_is_cheap() -> None:
    """Measured per call (median of many); the number is reported in docs/reliability.md."""
    dtype = np.dtype("uint8")
    roi = Roi((0, 0, 0), (8, 8, 8))
    calls = 20_000
    started = time.perf_counter()
    for _ in range(calls):
        check_read(None, roi, (8, 8, 8), dtype)
    per_call = (time.perf_counter() - started) / calls
    assert per_call < 20e-6


def test_reads_in_flight_are_checked_too(tmp_path: Path) -> None:
    array = huge_zarr(tmp_path).create_array()
    with pytest.raises(RequestTooLargeError):
        array.read_async(array.roi)
    results = list(array.read_many([array.roi], return_exceptions=True))
    assert isinstance(results[0], RequestTooLargeError)


def test_np_asarray_of_the_data_view_is_checked(tmp_path: Path) -> None:
    array = huge_zarr(tmp_path).create_array()
    started = time.monotonic()
    with pytest.raises(RequestTooLargeError, match=READ_SETTING):
        np.asarray(array.data)
    assert time.monotonic() - started < 1


def test_the_tiff_data_view_is_checked_before_reading(tmp_path: Path) -> None:
    import tifffile

    from dacapo.experiments.datasplits.datasets.arrays import TiffArrayConfig

    values = np.arange(4 * 6 * 8, dtype=np.uint16).reshape(4, 6, 8)
    tifffile.imwrite(tmp_path / "stack.tif", values, photometric="minisblack")
    array = TiffArrayConfig(name="stack", file_name=tmp_path / "stack.tif").create_array()
    set_limits(read_bytes=2 * 6 * 8 * 2)  # two sections
    np.testing.assert_array_equal(array.data[1:3], values[1:3])
    with pytest.raises(RequestTooLargeError, match=rf"0:3, 0:6, 0:8\] of .*{READ_SETTING}"):
        array.data[:3]
    with pytest.raises(RequestTooLargeError):
        np.asarray(array.data)
