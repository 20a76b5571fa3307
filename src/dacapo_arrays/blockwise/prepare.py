"""Before the first block: decide between a fresh write and a resumed one; create datasets.

The run record (``run.json``) holds the plan's fingerprint. The same write again resumes;
another write (other config, ROI, block shape or pyramid) into the same output is refused
unless ``overwrite``, and so is a dataset this writer did not make. Datasets are created
only after the record says so, and the record notes when they all exist, so a write killed
while creating them recreates them on the next run.
"""

from __future__ import annotations

import tensorstore as ts

from dacapo.experiments.datasplits.datasets.arrays import (
    ContainerNotFoundError,
    DatasetNotFoundError,
    IncompatibleDatasetError,
    ZarrArray,
)
from dacapo.experiments.datasplits.datasets.arrays.tooling import Container, classify, probe_keys

from .metadata import describe_output
from .plan import Level, Plan
from .rundir import RUN_FILE, RunDir

RECORD_VERSION = 1


class OutputExistsError(IncompatibleDatasetError):
    """The output dataset exists and holds something else than this write."""


def _exists(plan: Plan, level: Level) -> bool:
    try:
        ZarrArray.open_from_array_identifier(plan.identifier(level))
    except (ContainerNotFoundError, DatasetNotFoundError):
        return False
    return True


def _refuse(plan: Plan, folder: RunDir, record: dict[str, object] | None) -> None:
    where = f"dataset {plan.levels[0].dataset!r} in {plan.container!r}"
    if record is not None:
        raise OutputExistsError(
            f"{where} holds a different write (its record {str(folder.path / RUN_FILE)!r} "
            f"has another config, ROI, block shape or pyramid); replace it with "
            f"overwrite=True, or write to another dataset"
        )
    existing = [level.dataset for level in plan.levels if _exists(plan, level)]
    if existing:
        raise OutputExistsError(
            f"dataset {existing[0]!r} already exists in {plan.container!r} and this writer did "
            f"not make it (no record in {str(folder.path)!r}); replace it with "
            f"overwrite=True, or write to another dataset"
        )


def _clear_group(plan: Plan, *, overwrite: bool) -> None:
    """Make room for the multiscale group: an array stored where it goes (a write of the
    earlier one-array layout) is refused, or deleted with ``overwrite``."""
    container = Container(plan.container)
    found = classify(container.read_jsons(probe_keys(plan.group)), plan.group)
    if found is None or found[0] != "array":
        return
    if not overwrite:
        raise OutputExistsError(
            f"dataset {plan.group!r} in {plan.container!r} is an array, and this write makes "
            f"a multiscale group there ({plan.levels[0].dataset!r}, ...); replace it with "
            f"overwrite=True, or write to another dataset"
        )
    keys = ts.KvStore.KeyRange(f"{plan.group}/", f"{plan.group}0") if plan.group else None
    container.kvstore.delete_range(keys or ts.KvStore.KeyRange()).result()


def prepare_output(plan: Plan, folder: RunDir, *, overwrite: bool) -> Plan:
    """Make the output ready for blocks; return the plan to run: an earlier run's when it is
    resumed (its blocks were cut for its workers), else ``plan``."""
    record = folder.read_record()
    fingerprint = plan.fingerprint()
    same = record is not None and record.get("fingerprint") == fingerprint
    resumable = same and record is not None and record.get("created") and not overwrite
    # (an output deleted without its run folder is written again from the start)
    if resumable and record and all(_exists(plan, level) for level in plan.levels):
        return Plan.from_json(record["plan"])
    if not overwrite and not same:
        _refuse(plan, folder, record)
    _clear_group(plan, overwrite=overwrite)
    folder.reset()
    folder.write_record(
        {
            "version": RECORD_VERSION,
            "fingerprint": fingerprint,
            "created": False,
            "status": "creating",
            "plan": plan.to_json(),
        }
    )
    for level in plan.levels:
        ZarrArray.create_from_array_identifier(
            plan.identifier(level),
            plan.axes,
            level.roi,
            plan.num_channels,
            level.voxel_size,
            plan.dtype,
            write_size=level.chunk_shape * level.voxel_size,
            name=level.dataset,
            overwrite=True,
            shard_shape=level.shard_shape,
        )
    describe_output(plan)
    folder.update_record(created=True, status="created")
    return plan
