"""``dacapo-arrays sample CONFIG --n 100 --seed 0 --report [--png PATH]``: draw training
samples from a sampler config (see ``dacapo_arrays.sampling.config``) and say how fast."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import click


@click.command("sample")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--n", "count", default=100, show_default=True, help="Samples to draw.")
@click.option("--seed", type=int, default=None, help="Seed (default: the config's, else 0).")
@click.option("--report", is_flag=True, help="Print samples/s, MB/s and the rejection rate.")
@click.option(
    "--cache",
    "cache_mb",
    type=click.IntRange(min=0),
    default=None,
    help="MB of memory for keeping datasets that fit (default: the config's, else 1024; 0: none).",
)
@click.option(
    "--png",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a picture of the first samples (image slice, targets overlaid).",
)
def sample(
    config: Path,
    count: int,
    seed: int | None,
    report: bool,
    cache_mb: int | None,
    png: Path | None,
) -> None:
    """Draw COUNT samples from the sampler config file CONFIG."""
    from dacapo_arrays.sampling.config import load_sampler

    cache = None if cache_mb is None else cache_mb * 10**6
    sampler = load_sampler(config, seed=seed, cache=cache)
    kept: list[dict[str, Any]] = []
    start = time.perf_counter()
    for drawn in sampler.take(count):
        if len(kept) < 4:
            kept.append(drawn)
    seconds = time.perf_counter() - start
    stats = sampler.stats
    shapes = ", ".join(f"{n} {'x'.join(map(str, s))}" for n, s in sampler.shapes.items())
    click.echo(f"{stats.accepted} samples ({shapes}) from {len(sampler.datasets)} dataset(s)")
    if report:
        click.echo(f"samples/s       {stats.accepted / seconds:.2f}")
        click.echo(f"MB/s            {stats.nbytes / seconds / 1e6:.1f}")
        click.echo(
            f"rejection rate  {stats.rejection_rate:.1%} "
            f"({stats.rejected} of {stats.candidates} candidates)"
        )
        click.echo(
            f"kept in memory  {sum(sampler.kept)} of {len(sampler.kept)} dataset(s), "
            f"{sampler.kept_bytes / 1e6:.1f} MB (cache {sampler.cache / 1e6:.0f} MB)"
        )
    if png is not None and kept:
        from dacapo_arrays.sampling.picture import picture

        arrays = sampler.datasets[0]
        image = next(
            (n for n in sampler.names if arrays[n].is_labels is not True), sampler.names[0]
        )
        targets = [  # masks (the names rejection looks at) would cover everything
            n
            for n in sampler.names
            if n != image and arrays[n].is_labels and n not in sampler.reject
        ]
        picture(png, kept, image, targets)
        click.echo(f"picture         {png} (image {image!r}; overlaid: {', '.join(targets)})")
