"""Benchmarks that print figures (BRIEF §7.1); run each as a module: ``python -m benchmarks.bench_search``."""
