"""Benchmarks, run as modules (`python -m bench.analysis`); they read ../shared/data, never the repo."""
