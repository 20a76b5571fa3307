"""What importing the arrays and reading a local zarr load: only the libraries they use.

Start-up is most of a short process (issue 18): PyYAML, TOML, cattrs, universal-pathlib
(with fsspec, asyncio, ssl) and the product's libraries are imported when a step needs
them, not by ``import``. Each case runs in a fresh Python: this test session has loaded
everything already.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from dacapo_arrays.testing.sources import numpy_truth, zarr_source

REPORT = """
import json, sys
{steps}
print(json.dumps(sorted(sys.modules)))
"""

#: Never needed to import the arrays or to read a local zarr.
NOT_FOR_READS = {
    "yaml",
    "tomllib",
    "tomli_w",
    "xml.etree.ElementTree",
    "tifffile",
    "neuroglancer",
    "daisy",
    "click",
    "tqdm",
    "dacapo_arrays",
}
#: Needed only once a config is read or written, or a path is made.
FOR_CONFIGS = {"cattrs", "upath", "fsspec"}


def _modules_after(steps: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", REPORT.format(steps=steps)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_the_arrays_loads_no_file_format_path_or_product_library() -> None:
    loaded = _modules_after("import dacapo.experiments.datasplits.datasets.arrays")
    assert loaded & (NOT_FOR_READS | FOR_CONFIGS) == set()


def _read_steps(config_file: Path, out: Path) -> str:
    return (
        "import numpy as np\n"
        "from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig\n"
        f"array = ArrayConfig.from_file({str(config_file)!r}).create_array()\n"
        f"np.save({str(out)!r}, array[array.roi])\n"
    )


def test_reading_a_local_zarr_from_a_json_config_loads_no_yaml_toml_or_product(
    tmp_path: Path,
) -> None:
    truth = numpy_truth(shape=(6, 10, 12), dtype="uint16", seed=4)
    config = zarr_source(tmp_path, truth, name="raw")
    config.to_file(tmp_path / "raw.json")
    loaded = _modules_after(_read_steps(tmp_path / "raw.json", tmp_path / "read.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "read.npy"), truth.data)
    assert loaded & NOT_FOR_READS == set()
    # the spec types file_name as a UPath: the first config imports universal-pathlib
    assert {"cattrs", "upath"} <= loaded


def test_a_yaml_config_loads_yaml_and_reads_the_same(tmp_path: Path) -> None:
    truth = numpy_truth(shape=(6, 10, 12), dtype="uint16", seed=5)
    config = zarr_source(tmp_path, truth, name="raw")
    config.to_file(tmp_path / "raw.yaml")
    loaded = _modules_after(_read_steps(tmp_path / "raw.yaml", tmp_path / "read.npy"))
    np.testing.assert_array_equal(np.load(tmp_path / "read.npy"), truth.data)
    assert "yaml" in loaded
    assert loaded & (NOT_FOR_READS - {"yaml"}) == set()


STRUCTURE = (
    "import gc\n"
    "from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig, ZarrArrayConfig\n"
    "{before}\n"
    "frozen = gc.get_freeze_count()\n"
    "config = ArrayConfig.from_dict({{'__type__': 'ZarrArrayConfig', 'name': 'r', "
    "'file_name': '/data/r.zarr', 'dataset': 'raw'}})\n"
    "assert type(config) is ZarrArrayConfig, type(config)\n"
    # frozen objects still die by reference counting: a few may go
    "after = gc.get_freeze_count()\n"
    "assert after == 0 if frozen == 0 else after > 0.9 * frozen, (after, frozen)\n"
)


def test_building_the_converter_leaves_no_object_frozen() -> None:
    assert "cattrs" in _modules_after(STRUCTURE.format(before="assert not gc.get_freeze_count()"))


def test_a_process_that_froze_objects_keeps_them_frozen() -> None:
    """``gc.freeze()`` before forking keeps pages shared; the converter must not undo it."""
    assert "cattrs" in _modules_after(STRUCTURE.format(before="gc.freeze()"))
