"""Input a user can get wrong ends in `error:` + `hint:` (exit 2), never "internal error"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dacapo.experiments.datasplits.datasets.arrays import (
    ConfigError,
    MetadataError,
    ZarrArrayConfig,
)


def _error(result) -> str:
    assert result.exit_code == 2, result.output
    assert "internal error" not in result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("error: ")
    assert lines[-1].startswith("hint: ")
    return lines[0]


def test_an_unsupported_url_scheme(invoke) -> None:
    line = _error(invoke("info", "gopher://host/data.zarr/raw"))
    assert "cannot use 'gopher://host/data.zarr' as a path or URL" in line
    with pytest.raises(ConfigError, match="Unsupported filesystem"):
        ZarrArrayConfig(name="a", file_name="gopher://host/d.zarr", dataset="raw")


def test_an_output_below_a_file(tmp_path: Path, labels, invoke) -> None:
    config, _ = labels
    config.to_file(tmp_path / "labels.yaml")
    (tmp_path / "afile").write_text("not a folder")
    line = _error(invoke("write", str(tmp_path / "labels.yaml"), str(tmp_path / "afile/o.zarr")))
    assert f"'{tmp_path / 'afile'}' is a file, not a folder" in line
    assert (tmp_path / "afile").read_text() == "not a folder"


@pytest.mark.parametrize(
    ("folder", "document"),
    [("z3.zarr/raw", "zarr.json"), ("x.n5/raw", "attributes.json"), ("g.zarr", "zarr.json")],
)
@pytest.mark.parametrize("content", [b"\x00\xff\xfe binary", b'{"zarr_format": 3,'])
def test_unreadable_metadata_is_a_metadata_error(
    tmp_path: Path, invoke, folder: str, document: str, content: bytes
) -> None:
    (tmp_path / folder).mkdir(parents=True)
    (tmp_path / folder / document).write_bytes(content)
    line = _error(invoke("info", str(tmp_path / folder)))
    assert f"metadata file '{tmp_path / folder / document}' is not valid JSON" in line
    assert "no zarr / N5 arrays" not in line


def test_a_negative_shape_is_a_metadata_error_at_open(tmp_path: Path) -> None:
    dataset = tmp_path / "neg.zarr" / "raw"
    dataset.mkdir(parents=True)
    zarray = {"zarr_format": 2, "shape": [-5, 4, 4], "chunks": [2, 2, 2], "dtype": "|u1",
              "compressor": None, "fill_value": 0, "order": "C", "filters": None}  # fmt: skip
    (dataset / ".zarray").write_text(json.dumps(zarray))
    with pytest.raises(MetadataError, match=r"its shape \[-5, 4, 4\] must hold whole numbers"):
        ZarrArrayConfig(name="n", file_name=tmp_path / "neg.zarr", dataset="raw").create_array()
