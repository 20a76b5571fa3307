"""Chunk files that contradict the metadata's key layout: open, verify() and check say so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayIdentifier,
    MetadataError,
    ZarrArray,
    ZarrArrayConfig,
)


def _stored(tmp_path: Path, fmt: str) -> Path:
    array = ZarrArray.create_from_array_identifier(
        ArrayIdentifier(tmp_path / "c.zarr", "raw", format=fmt), ["z", "y", "x"],
        Roi((0, 0, 0), (8, 8, 8)), None, (1, 1, 1), "uint8", write_size=(4, 4, 4),
    )  # fmt: skip
    array[array.roi] = 5
    return tmp_path / "c.zarr" / "raw"


def _edit(path: Path, **changes: object) -> None:
    document = json.loads(path.read_text())
    document.update(changes)
    path.write_text(json.dumps(document))


@pytest.mark.parametrize(
    ("fmt", "document", "changes", "message"),
    [
        ("zarr2", ".zarray", {"dimension_separator": "."}, "dimension_separator '.'"),
        ("zarr3", "zarr.json", {"chunk_key_encoding": {"name": "v2", "configuration": {}}},
         "chunk_key_encoding"),
    ],
)  # fmt: skip
def test_a_mismatched_key_layout_is_a_metadata_error(
    tmp_path: Path, fmt: str, document: str, changes: dict[str, object], message: str
) -> None:
    folder = _stored(tmp_path, fmt)
    config = ZarrArrayConfig(name="c", file_name=tmp_path / "c.zarr", dataset="raw")
    assert (config.create_array()[Roi((0, 0, 0), (8, 8, 8))] == 5).all()
    _edit(folder / document, **changes)
    with pytest.raises(MetadataError, match=message) as caught:
        config.create_array()
    assert "reading would give only fill values" in str(caught.value)
    ok, report = config.verify()
    assert not ok
    assert message.split()[0] in report
