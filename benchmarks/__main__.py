"""``uv run python -m benchmarks [topic ...]``: run every (or the named) bench module."""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

from benchmarks.harness import make_data, print_table


def main(argv: list[str]) -> None:
    here = Path(__file__).parent
    topics = sorted(
        m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_")
    )
    wanted = [t for t in topics if not argv or t.removeprefix("bench_") in argv]
    data = make_data()
    rows = []
    ratios: list[str] = []
    for topic in wanted:
        module = importlib.import_module(f"benchmarks.{topic}")
        print(f"running {topic} ...", file=sys.stderr, flush=True)
        rows.extend(module.run(data))
        ratios.extend(getattr(module, "RATIOS", []))  # "NAME-ratio: R" lines, printed last
    print_table(rows)
    for line in ratios:
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
