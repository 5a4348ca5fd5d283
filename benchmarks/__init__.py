"""Benchmarks that print figures (BRIEF §7.1); each is a script: ``python benchmarks/bench_search.py``."""
