"""Benchmarks of the running service (`python -m marketplace.bench`); not imported by the runtime."""
