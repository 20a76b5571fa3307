"""A daisy progress observer drawing one tqdm bar: blocks done / total, voxels/s, ETA.

Blocks skipped because an earlier run wrote them count as done from the start and do not
inflate the rate or shorten the ETA.
"""

from __future__ import annotations

import time
from typing import Any


def _si(value: float) -> str:
    for unit in ("", "k", "M", "G", "T"):
        if abs(value) < 1000:
            return f"{value:.1f}{unit}"
        value /= 1000
    return f"{value:.1f}P"


class BarObserver:
    """Called by daisy (``on_start``/``on_progress``/``on_finish``) for one task."""

    def __init__(self, label: str, voxels_per_block: float, total_blocks: int) -> None:
        self.label = label
        self.voxels_per_block = voxels_per_block
        self.total_blocks = total_blocks
        self._bar: Any = None
        #: Where the bar is drawn (``None``: stderr).
        self.file: Any = None
        self._start = time.monotonic()

    def _update(self, states: dict[str, Any]) -> None:
        state = next(iter(states.values()))
        done = int(state.completed_count)
        if self._bar is None:
            from tqdm import tqdm  # here: a write without a bar never imports it

            self._bar = tqdm(
                total=int(state.total_block_count) or self.total_blocks,
                desc=self.label,
                unit="block",
                dynamic_ncols=True,
                file=self.file,
                leave=True,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} blocks "
                "[{elapsed}{postfix}]",
            )
        self._bar.set_postfix_str(self._rates(state), refresh=False)
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)

    def _rates(self, state: Any) -> str:
        """``ETA 0:12, 3.4M voxels/s`` over the blocks written in this run (not skipped)."""
        elapsed = max(time.monotonic() - self._start, 1e-9)
        written = int(state.completed_count) - int(state.skipped_count)
        remaining = int(state.total_block_count) - int(state.completed_count)
        parts = []
        if written > 0 and remaining > 0:
            from tqdm import tqdm

            parts.append(f"ETA {tqdm.format_interval(remaining * elapsed / written)}")
        parts.append(f"{_si(written * self.voxels_per_block / elapsed)} voxels/s")
        if int(state.failed_count):
            parts.append(f"{int(state.failed_count)} failed")
        return ", ".join(parts)

    def on_start(self, states: dict[str, Any]) -> None:
        self._start = time.monotonic()
        self._update(states)

    def on_progress(self, states: dict[str, Any]) -> None:
        self._update(states)

    def on_finish(self, states: dict[str, Any]) -> None:
        self._update(states)
        self._bar.close()
