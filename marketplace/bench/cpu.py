"""CPU cost per request, route by route: the app's own process time and PostgreSQL's, without a load generator.

    .venv/bin/python -m marketplace.bench.cpu [--requests 200] [--route /vi/ ...] [--profile out.txt]

On a shared machine throughput numbers measure the neighbours; CPU time spent per request does not (much).
This starts an embedded PostgreSQL in a temporary directory, loads the demo, builds the app with
`create_app`, runs its lifespan, and sends each route N times straight into the ASGI app (no HTTP server,
no client library): `time.process_time()` of this process gives the app's cost, the CPU time of the
PostgreSQL backends (from /proc) gives the database's. The bare ceiling app (`/plain`, `/select1`) is
measured the same way, so each route's cost can be read against it.
"""

import argparse
import asyncio
import os
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from marketplace.bench.__main__ import DEFAULT_ROUTES

__all__ = ["main", "call_asgi"]

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
ASGIApp = Callable[[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]],
                    Callable[[dict[str, Any]], Awaitable[None]]], Awaitable[None]]


async def call_asgi(app: ASGIApp, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> tuple[int, bytes]:
    """One GET through the ASGI app, as a new visitor (no cookies); returns the status and the body."""
    raw_path, _, query = path.partition("?")
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": raw_path, "raw_path": raw_path.encode(), "query_string": query.encode(), "root_path": "",
        "headers": headers if headers is not None else [(b"host", b"127.0.0.1"), (b"accept-encoding", b"br, gzip")],
        "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000), "state": {},
    }
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(chunks)


def _postgres_cpu_seconds(pgdata: Path) -> float:
    """CPU time of the PostgreSQL server's processes (postmaster and backends) so far."""
    postmaster = int((pgdata / "postmaster.pid").read_text().split()[0])
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, parent = int(entry.name), int(fields[1])
        if pid == postmaster or parent == postmaster:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


async def _measure(app: ASGIApp, path: str, requests: int, pgdata: Path,
                   concurrency: int = 1) -> tuple[int, float, float, int]:
    for _ in range(max(10, requests // 10)):
        status, body = await call_asgi(app, path)

    async def client(count: int) -> None:
        for _ in range(count):
            await call_asgi(app, path)

    app_started, pg_started = time.process_time(), _postgres_cpu_seconds(pgdata)
    await asyncio.gather(*(client(requests // concurrency) for _ in range(concurrency)))
    requests = requests // concurrency * concurrency
    app_ms = (time.process_time() - app_started) * 1000 / requests
    pg_ms = (_postgres_cpu_seconds(pgdata) - pg_started) * 1000 / requests
    return status, app_ms, pg_ms, len(body)


async def _demo_slugs(app: ASGIApp) -> dict[str, str]:
    import msgspec

    _, body = await call_asgi(app, "/api/v1/products", [(b"host", b"127.0.0.1")])
    products = msgspec.json.decode(body)
    first = (products.get("items", products) if isinstance(products, dict) else products)[0]
    shop = first.get("merchant_slug") or (first.get("merchant") or {}).get("slug") or ""
    return {"product": first["slug"], "shop": shop}


async def _run(args: argparse.Namespace, data_dir: Path) -> list[str]:
    from marketplace.app import create_app
    from marketplace.bench.ceiling import create_app as create_ceiling
    from marketplace.cli import _migrate_and_seed
    from marketplace.platform.database import EmbeddedPostgres
    from marketplace.platform.settings import load_settings

    embedded = EmbeddedPostgres(data_dir)
    embedded.start()
    dsn = embedded.uri("postgres")
    os.environ["DATABASE_URL"] = dsn
    settings = load_settings({"DATABASE_URL": dsn, "SECRET_KEY": "bench-secret-key-0123456789-0123456789-01",
                              "DATA_DIR": str(data_dir / "data"), "RUN_INDEXER": "false"})
    await _migrate_and_seed(settings, dsn, True)
    app, ceiling = create_app(settings), create_ceiling()
    rows: list[str] = []
    async with ceiling.lifespan(), app.lifespan():
        for route in ("/plain", "/select1"):
            status, app_ms, pg_ms, size = await _measure(ceiling, route, args.requests, embedded.pgdata,
                                                         args.concurrency)
            rows.append(f"| ceiling {route} | {status} | {app_ms:.3f} | {pg_ms:.3f} | {app_ms + pg_ms:.3f} | "
                        f"{size:,} |")
        slugs = await _demo_slugs(app)
        for template in args.route or DEFAULT_ROUTES:
            route = template.format(**slugs)
            status, app_ms, pg_ms, size = await _measure(app, route, args.requests, embedded.pgdata, args.concurrency)
            rows.append(f"| {route} | {status} | {app_ms:.3f} | {pg_ms:.3f} | {app_ms + pg_ms:.3f} | {size:,} |")
            print(rows[-1], flush=True)
    embedded.stop()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m marketplace.bench.cpu", description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per route after the warm-up")
    parser.add_argument("--route", action="append", help="a route ({product} and {shop} are demo slugs)")
    parser.add_argument("--concurrency", type=int, default=1, help="requests in flight at once (default 1)")
    args = parser.parse_args(argv)
    # As a served worker logs: one JSON line per request on stderr (send stderr to /dev/null when reading).
    from marketplace.platform.telemetry import configure_logging

    configure_logging()
    with tempfile.TemporaryDirectory(prefix="mkt-cpu-") as directory:
        rows = asyncio.run(_run(args, Path(directory)))
    print("| route | status | app CPU ms/request | PostgreSQL CPU ms/request | total | body |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
