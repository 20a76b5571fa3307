"""The sampler's config file (YAML, TOML or JSON by suffix), as ``dacapo-arrays sample`` reads it.

.. code-block:: yaml

    datasets:                  # one mapping per dataset: name -> array config
      - raw: raw.yaml          # a config file, relative to this file...
        gt: organelles.yaml
        mask: {__type__: ...}  # ...or the config itself
    shapes: {raw: [48, 48, 48], gt: [24, 24, 24], mask: [24, 24, 24]}
    seed: 0
    # optional, as Sampler's keywords: weights, reject, max_tries, pad, mirror, transpose,
    # prefetch, cache
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dacapo.experiments.datasplits.datasets.arrays import ArrayConfig
from dacapo.experiments.datasplits.datasets.arrays.tooling import read_document

from .sampler import Sampler

OPTIONS = (
    "seed",
    "weights",
    "reject",
    "max_tries",
    "pad",
    "mirror",
    "transpose",
    "prefetch",
    "cache",
)


def _array_config(value: Any, folder: Path, where: str) -> ArrayConfig:
    if isinstance(value, str):
        return ArrayConfig.from_file(folder / value)
    if isinstance(value, dict):
        return ArrayConfig.from_dict(value, source=where)
    raise ValueError(
        f"{where}: expected an array config file name or an inline config, got {value!r}"
    )


def load_sampler(path: str | os.PathLike[str], **overrides: Any) -> Sampler:
    """The :class:`Sampler` a config file describes (``overrides`` replace its options)."""
    path = Path(path)
    document = read_document(path)
    if not isinstance(document, dict) or "datasets" not in document or "shapes" not in document:
        raise ValueError(
            f"{path} is not a sampler config: it needs 'datasets' (a list of {{name: array "
            f"config}}) and 'shapes' ({{name: [z, y, x]}}); see docs/training.md"
        )
    unknown = sorted(set(document) - {"datasets", "shapes", *OPTIONS})
    if unknown:
        raise ValueError(
            f"{path}: unknown keys {unknown}; the keys are datasets, shapes, {', '.join(OPTIONS)}"
        )
    datasets = [
        {
            name: _array_config(value, path.parent, f"{path}: datasets[{i}].{name}")
            for name, value in dataset.items()
        }
        for i, dataset in enumerate(document["datasets"])
    ]
    options = {key: document[key] for key in OPTIONS if key in document}
    options.update({k: v for k, v in overrides.items() if v is not None})
    return Sampler(datasets, document["shapes"], **options)
