"""Benchmark suite for corridor-planner; run ``python benchmarks/run.py`` (see README, "Benchmarks")."""
