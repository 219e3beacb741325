"""Page and API benchmark: serves the demo on a private embedded database and loads each route with wrk.

    .venv/bin/python -m marketplace.bench [--duration 10] [--connections 32] [--workers 1]

Prints a Markdown table (requests/s, p50/p99 latency, non-2xx responses, compressed page size) with
`/healthz` as the in-run ceiling every route is compared with. Needs Debian's `wrk`.
"""

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

__all__ = ["main"]

DEFAULT_ROUTES = (
    "/healthz",
    "/vi/",
    "/en/attractions",
    "/vi/attractions/po-klong-garai",
    "/vi/events",
    "/vi/search?q=nho+ninh+thuan",
    "/api/v1/search?q=gom+bau+truc&locale=vi",
    "/api/v1/search/suggest?q=thap&locale=vi",
    "/api/v1/attractions",
    "/api/v1/products",
)
PAGE_BUDGET_BYTES = 14 * 1024


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_ready(base: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit("the service did not become ready")


def _compressed_size(url: str) -> tuple[int, int, str]:
    request = urllib.request.Request(url, headers={"accept-encoding": "br, gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.status, len(body), response.headers.get("content-encoding", "identity")


def _wrk(url: str, duration: int, connections: int) -> dict[str, str]:
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
                            capture_output=True, text=True, check=True).stdout
    result = {"rps": "?", "p50": "?", "p99": "?", "non2xx": "0"}
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result["rps"] = f"{float(match.group(1)):,.0f}"
    if match := re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE):
        result["p50"] = match.group(1)
    if match := re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE):
        result["p99"] = match.group(1)
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result["non2xx"] = match.group(1)
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(prog="python -m marketplace.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per route (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="concurrent connections (default 32)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--server", choices=("granian", "uvicorn"), default="granian")
    parser.add_argument("--route", action="append", help="a route to measure (repeatable; default: a fixed set)")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk)", file=sys.stderr)
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="mkt-bench-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen([sys.executable, "-m", "marketplace.cli", "serve", "--demo", "--port", str(port),
                               "--workers", str(args.workers), "--server", args.server],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_ready(base)
        rows = []
        for route in args.route or DEFAULT_ROUTES:
            status, size, encoding = _compressed_size(base + route)
            _wrk(base + route, 2, args.connections)  # warm-up
            measured = _wrk(base + route, args.duration, args.connections)
            budget = "" if not route.startswith(("/vi", "/en")) else (
                "yes" if size <= PAGE_BUDGET_BYTES else "NO")
            rows.append((route, str(status), measured["rps"], measured["p50"], measured["p99"], measured["non2xx"],
                         f"{size:,} B {encoding}", budget))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        shutil.rmtree(data_dir, ignore_errors=True)
    print(f"\n{args.server}, {args.workers} worker(s), wrk -t2 -c{args.connections} -d{args.duration}s, "
          f"{os.cpu_count()} CPUs, embedded PostgreSQL, demo data\n")
    print("| route | status | req/s | p50 | p99 | non-2xx | body (compressed) | within 14 KB |")
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
