"""Benchmark of the PostgreSQL search engine (`python -m search.bench`); not imported by the runtime."""
