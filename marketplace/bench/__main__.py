"""Page and API benchmark: the demo and a bare ceiling app, same server, same workers, same PostgreSQL, one run.

    .venv/bin/python -m marketplace.bench [--duration 10] [--connections 64] [--workers 2]

Starts an embedded PostgreSQL in a temporary directory, `marketplace serve --demo` on it, and the ceiling
app (`marketplace.bench.ceiling`: plain text, JSON, one `SELECT 1`) with the same server and workers on the
same database. Loads each route in turn (wrk when installed, else a Python client) and prints a Markdown
table: requests/s, p50 and p99 latency, non-2xx answers, compressed body size, and each route's share of
the ceiling: the `SELECT 1` route for pages and APIs, the plain-text route for `/healthz`.
"""

import argparse
import json
import os
import platform
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from marketplace.bench.load import LoadResult, generator_name, run_load
from marketplace.platform.database import EmbeddedPostgres, start_embedded_database

__all__ = ["main"]

CEILING_ROUTES = ("/plain", "/json", "/select1")
DEFAULT_ROUTES = (
    "/healthz",
    "/vi/",
    "/vi/products/{product}",
    "/vi/shops/{shop}",
    "/vi/attractions/po-klong-garai",
    "/en/attractions",
    "/vi/events",
    "/vi/search?q=nho+ninh+thuan",
    "/api/v1/products/{product}",
    "/api/v1/products",
    "/api/v1/search?q=gom+bau+truc&locale=vi",
    "/api/v1/search/suggest?q=thap&locale=vi",
    "/api/v1/attractions",
)
PAGE_BUDGET_BYTES = 14 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not become ready")


def _get(url: str, encodings: str = "br, gzip") -> tuple[int, bytes, str]:
    request = urllib.request.Request(url, headers={"accept-encoding": encodings})
    with urllib.request.urlopen(request, timeout=120) as response:  # a loaded machine answers slowly
        return response.status, response.read(), response.headers.get("content-encoding", "identity")


def _demo_slugs(base: str) -> dict[str, str]:
    """A product and a shop of the demo, read from the public API."""
    _, body, _ = _get(base + "/api/v1/products", "identity")
    products = json.loads(body)
    items = products.get("items", products) if isinstance(products, dict) else products
    first = items[0]
    shop = first.get("merchant_slug") or (first.get("merchant") or {}).get("slug") or ""
    return {"product": first["slug"], "shop": shop}


def _server_command(target: str, port: int, workers: int, server: str) -> list[str]:
    if server == "uvicorn":
        return [sys.executable, "-m", "uvicorn", "--factory", target, "--port", str(port), "--workers", str(workers),
                "--no-access-log"]
    return [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", target, "--port", str(port),
            "--workers", str(workers), "--no-ws"]


@contextmanager
def _process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    except BaseException:
        print(f"--- last lines of {log.name}:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-20:]),
              file=sys.stderr)
        raise
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _measure(url: str, duration: float, connections: int) -> LoadResult:
    run_load(url, min(2.0, duration), connections)  # warm-up: caches, prepared statements, JIT of nothing
    return run_load(url, duration, connections)


def _row(route: str, status: int, result: LoadResult, ceiling: LoadResult | None, ceiling_name: str,
         size: str, budget: str) -> str:
    share = f"{100 * result.rps / ceiling.rps:.1f}% of {ceiling_name}" if ceiling and ceiling.rps else ""
    failed = f"{result.non_2xx}" + (f" (+{result.timeouts} timed out)" if result.timeouts else "")
    return (f"| {route} | {status} | {result.rps:,.0f} | {result.p50_ms:.1f} | {result.p99_ms:.1f} | "
            f"{failed} | {share} | {size} | {budget} |")


def _bench(args: argparse.Namespace, env: dict[str, str]) -> list[str]:
    app_port, ceiling_port = _free_port(), _free_port()
    app, ceiling = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{ceiling_port}"
    serve = [sys.executable, "-m", "marketplace.cli", "serve", "--demo", "--port", str(app_port),
             "--workers", str(args.workers), "--server", args.server]
    rows: list[str] = []
    logs = Path(env["DATA_DIR"])
    ceiling_command = _server_command("marketplace.bench.ceiling:create_app", ceiling_port, args.workers, args.server)
    with _process(serve, env, logs / "serve.log"), _process(ceiling_command, env, logs / "ceiling.log"):
        _wait_ready(app + "/readyz")
        _wait_ready(ceiling + "/select1")
        measured = {route: _measure(ceiling + route, args.duration, args.connections) for route in CEILING_ROUTES}
        for route in CEILING_ROUTES:
            rows.append(_row(f"ceiling {route}", 200, measured[route], None, "", "", ""))
        slugs = _demo_slugs(app)
        for template in args.route or DEFAULT_ROUTES:
            route = template.format(**slugs)
            status, body, encoding = _get(app + route)
            result = _measure(app + route, args.duration, args.connections)
            is_page = route.startswith(("/vi", "/en"))
            reference = "/plain" if route == "/healthz" else "/select1"
            budget = ("yes" if len(body) <= PAGE_BUDGET_BYTES else "NO") if is_page else ""
            rows.append(_row(route, status, result, measured[reference], reference, f"{len(body):,} B {encoding}",
                             budget))
    return rows


def _machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, load average {load:.1f} at the end"


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(prog="python -m marketplace.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per route (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="concurrent connections (default 64)")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes (default 2)")
    parser.add_argument("--server", choices=("granian", "uvicorn"), default="granian")
    parser.add_argument("--route", action="append",
                        help="a route to measure (repeatable; {product} and {shop} are demo slugs)")
    args = parser.parse_args(argv)
    data_dir = Path(tempfile.mkdtemp(prefix="mkt-bench-"))
    embedded = EmbeddedPostgres(data_dir)
    try:
        dsn = start_embedded_database(embedded)
        env = {**os.environ, "DATA_DIR": str(data_dir), "DATABASE_URL": dsn, "SECRET_KEY": secrets.token_hex(32)}
        rows = _bench(args, env)
    finally:
        embedded.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"\n{args.server}, {args.workers} worker(s) for the app and for the ceiling app, {generator_name()} "
          f"-c{args.connections}, {args.duration:g} s per route after a 2 s warm-up, embedded PostgreSQL, "
          f"demo data; {_machine()}\n")
    print("| route | status | req/s | p50 ms | p99 ms | non-2xx | share of the ceiling | body | within 14 KB |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
