"""What a write did: per level, blocks written and skipped, and the blocks that failed."""

from __future__ import annotations

import re
from pathlib import Path

import attrs
from funlib.geometry import Roi

from dacapo.experiments.datasplits.datasets.arrays import format_roi


@attrs.frozen
class BlockFailure:
    """A block that still failed after its retries."""

    dataset: str
    roi: Roi
    error: str

    def __str__(self) -> str:
        return f"{self.dataset} {format_roi(self.roi)}: {self.error}"


@attrs.frozen
class LevelResult:
    dataset: str
    blocks: int
    written: int
    skipped: int
    seconds: float
    failures: list[BlockFailure]


@attrs.frozen
class WriteResult:
    """What a write did: per level, blocks written and skipped, and the failed blocks."""

    container: str
    run_dir: Path
    levels: list[LevelResult]
    #: Levels not attempted because a level below them failed.
    not_written: list[str] = attrs.field(factory=list)

    @property
    def failures(self) -> list[BlockFailure]:
        return [f for level in self.levels for f in level.failures]

    @property
    def ok(self) -> bool:
        return not self.failures and not self.not_written


class BlockwiseWriteError(RuntimeError):
    """Some blocks failed after their retries; ``result`` says which, with their errors."""

    def __init__(self, result: WriteResult) -> None:
        failures = result.failures
        lines = [f"{len(failures)} block(s) failed; re-run the write to retry only those:"]
        lines += [f"  {failure}" for failure in failures]
        if result.not_written:
            lines.append(f"  not written (they need the failed level): {result.not_written}")
        super().__init__("\n".join(lines))
        self.result = result


class WorkersFailedError(RuntimeError):
    """Worker processes kept dying (or could not start), so daisy gave the level up."""

    def __init__(self, dataset: str, logs: Path, reason: str) -> None:
        errors = re.findall(r"^\s*(\w*(?:Error|Exception)\b.*)$", reason, re.MULTILINE)
        last = errors[-1].strip() if errors else reason.strip().splitlines()[0]
        super().__init__(
            f"the workers writing {dataset!r} kept failing, so the write stopped; the last "
            f"error: {last}; worker logs are in {logs}"
        )
