from __future__ import annotations

from pathlib import Path

from dacapo.experiments.datasplits.datasets.arrays._storage.kvstore import Container
from dacapo.experiments.datasplits.datasets.arrays._storage.listing import describe, list_arrays


def test_local_listing_finds_arrays_of_every_format_without_entering_them(tmp_path: Path) -> None:
    root = tmp_path / "c.zarr"
    for folder, name, text in [
        ("a/s0", ".zarray", "{}"),
        ("a/s1", "zarr.json", '{"node_type": "array"}'),
        ("b", "zarr.json", '{"node_type": "group"}'),
        ("b/n5", "attributes.json", '{"dataType": "uint8", "dimensions": [1]}'),
        ("a/s0/0/0", ".zarray", "{}"),  # inside an array: never reached
    ]:
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(text)
    found = list_arrays(Container(root))
    assert found == ["a/s0", "a/s1", "b/n5"]
    assert describe(found, under="a") == "'a/s0', 'a/s1'"
    assert describe(found, under="z") == "no datasets"
    assert describe(None) == "the store cannot be listed"
    many = [f"s{i:02}" for i in range(25)]
    assert describe(many).endswith("'s19' and 5 more")
