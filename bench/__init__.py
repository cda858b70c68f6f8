"""Benchmarks: each module here with a `run(argv) -> dict` prints one JSON line of figures."""
