"""Benchmarks: ``uv run python -m benchmarks`` prints one table of every ``bench_*`` module."""
