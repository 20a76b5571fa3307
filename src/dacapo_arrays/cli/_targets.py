"""What the commands' arguments name: a config file, or a zarr / N5 path (container/dataset)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import attrs
import click

from dacapo.experiments.datasplits.datasets.arrays import (
    ArrayConfig,
    ArrayIdentifier,
    ContainerNotFoundError,
    MetadataError,
    ZarrArrayConfig,
)
from dacapo.experiments.datasplits.datasets.arrays.tooling import FORMATS

CONTAINER_SUFFIXES = (".zarr", ".n5", ".zr")
#: The storage formats ``write --format`` accepts.
STORAGE_FORMATS = ("zarr2", "zarr3", "n5")


def is_config_file(text: str) -> bool:
    return Path(text).suffix.lower() in FORMATS


def split_container(text: str) -> tuple[str, str]:
    """``/d/x.zarr/raw/s0`` -> (``/d/x.zarr``, ``raw/s0``); no container suffix: (text, "").

    >>> split_container("/data/jrc.zarr/recon-1/em/s0")
    ('/data/jrc.zarr', 'recon-1/em/s0')
    >>> split_container("s3://bucket/a.n5/raw")
    ('s3://bucket/a.n5', 'raw')
    """
    stripped = text.rstrip("/")
    parts = stripped.split("/")
    for index in range(len(parts) - 1, -1, -1):
        if parts[index].lower().endswith(CONTAINER_SUFFIXES):
            return "/".join(parts[: index + 1]), "/".join(parts[index + 1 :])
    return stripped, ""


def load_config(path: str) -> ArrayConfig:
    return ArrayConfig.from_file(path)


def _is_array_folder(folder: Path) -> bool:
    if (folder / ".zarray").is_file():
        return True
    for name, key, value in (("zarr.json", "node_type", "array"), ("attributes.json", "", "")):
        document = folder / name
        if document.is_file():
            try:
                data = json.loads(document.read_text(encoding="utf-8"))
            except OSError:
                continue
            except (UnicodeDecodeError, json.JSONDecodeError) as err:
                raise MetadataError(
                    f"metadata file {str(document)!r} is not valid JSON ({err}); repair it or "
                    f"recreate the dataset"
                ) from err
            if not isinstance(data, dict):
                raise MetadataError(
                    f"metadata file {str(document)!r} holds a JSON {type(data).__name__}, not "
                    f"an object; repair it or recreate the dataset"
                )
            if (key and data.get(key) == value) or (not key and "dimensions" in data):
                return True
    return False


def datasets_below(container: str, dataset: str) -> list[str]:
    """Every array dataset at or below ``dataset`` in a local container, sorted."""
    root = Path(container) / dataset
    if _is_array_folder(root):
        return [dataset]
    found = []
    for folder, subfolders, _ in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        here = Path(folder)
        if _is_array_folder(here):
            found.append(here.relative_to(container).as_posix())
            subfolders[:] = []
    return sorted(found)


#: ``--world-unit`` of the commands that take zarr / N5 paths.
world_unit_option = click.option(
    "--world-unit",
    metavar="UNIT",
    help="World unit of the arrays a PATH names (ZarrArrayConfig's world_unit), for "
    "voxel sizes or offsets that are fractional in nm, e.g. '0.01 nm' for 5.24 nm; "
    "default nm. Config files set world_unit themselves.",
)

#: The Python advice of a refused fractional value, and the same for a PATH argument.
PATH_ADVICE: tuple[tuple[str, str], ...] = (
    (
        r"ZarrArrayConfig\(world_unit=('[^']*')\) \(then give every array of the config tree "
        r"the same world_unit\)",
        r"--world-unit \1",
    ),
    (
        r"state the ([a-z ]+) with ZarrArrayConfig\((\w+)=\.\.\.\)",
        r"state the \1 in a config file (ZarrArrayConfig's \2)",
    ),
)


def path_advice(message: str) -> str:
    """``message`` with a config's ``world_unit`` advice as the ``--world-unit`` option,
    for arrays named by a PATH argument (which has no config to edit).

    >>> path_advice("open it exactly with ZarrArrayConfig(world_unit='0.1 nm') (then give "
    ...             "every array of the config tree the same world_unit), or ...")
    "open it exactly with --world-unit '0.1 nm', or ..."
    """
    for pattern, replacement in PATH_ADVICE:
        message = re.sub(pattern, replacement, message)
    return message


def configs_for_path(text: str, world_unit: str | None = None) -> list[ZarrArrayConfig]:
    """The arrays a zarr / N5 path names: the dataset itself, or every dataset below a group,
    in ``world_unit`` (``--world-unit``; ``None``: nm)."""
    return [
        attrs.evolve(config, world_unit=world_unit) if world_unit else config
        for config in _configs_for_path(text)
    ]


def _configs_for_path(text: str) -> list[ZarrArrayConfig]:
    container, dataset = split_container(text)
    scheme = urlsplit(container).scheme
    if scheme == "file":
        container = urlsplit(container).path
    elif len(scheme) > 1:  # a URL: no listing, the dataset must be named
        return [ZarrArrayConfig(name=dataset, file_name=container, dataset=dataset)]
    local = Path(container)
    if not local.is_dir():
        raise ContainerNotFoundError(
            f"{text!r} is neither a config file (*.yaml, *.toml, *.json) nor an existing zarr / "
            f"N5 container; check the path"
        )
    datasets = datasets_below(container, dataset)
    if not datasets:
        raise ContainerNotFoundError(
            f"no zarr / N5 arrays in {text!r}; give a dataset path such as "
            f"{str(local / 'raw' / 's0')!r} or a container that holds arrays"
        )
    return [ZarrArrayConfig(name=d, file_name=container, dataset=d) for d in datasets]


def output_identifier(
    output: str, dataset: str | None, default: str, fmt: str | None = None
) -> ArrayIdentifier:
    """The write target: ``OUTPUT`` (``out.zarr`` or ``out.zarr/dataset``) and ``--dataset``.

    An OUTPUT without a container suffix is refused unless ``--format`` says what to write,
    so that a typo (``out.txt``) does not become a folder of chunks.
    """
    container, inner = split_container(output)
    if not container.lower().endswith(CONTAINER_SUFFIXES):
        if fmt is None or Path(output).is_file():
            raise click.BadParameter(
                f"{output!r} is not a zarr or N5 container; name it with .zarr or .n5 (e.g. "
                f"{Path(output).stem or 'out'}.zarr), or pass --format zarr2|zarr3|n5 to write "
                f"a container of that format at this path",
                param_hint="OUTPUT",
            )
        container, inner = output.rstrip("/"), ""
    return ArrayIdentifier(container, dataset or inner or default, format=fmt)
