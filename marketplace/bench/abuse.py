"""Abuse benchmark: does /healthz stay fast while anonymous clients hammer the expensive routes?

    .venv/bin/python -m marketplace.bench.abuse [--seconds 20] [--workers 1]

Starts `marketplace serve --demo` (granian) on a private embedded PostgreSQL in a temporary directory, with
TRUSTED_PROXIES=127.0.0.0/8 so that each attacking request can claim its own client address in
X-Forwarded-For (a botnet: the per-client limits do not save the server here, the bounded CPU work must).
It then measures `/healthz` from a separate process, one request at a time every 20 ms, first with the
service idle, then while at once:

- 3 clients fetch the PDF and SVG posters of every demo attraction, round after round;
- 30 clients sign up (argon2 hashing), each from a new address;
- 6 clients upload logos as new, unapproved merchants: 38 KB PNGs declaring 6300 x 6300 pixels and real
  3000 x 3000 photos, each merchant until its quota answers 429.

It prints two Markdown tables: /healthz latency per phase, and what each attack got back; and the peak RSS
of the server's worker processes.
"""

import argparse
import asyncio
import io
import itertools
import multiprocessing
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

__all__ = ["main"]

PROBE_INTERVAL = 0.02
POSTER_CLIENTS, SIGN_UP_CLIENTS, UPLOAD_CLIENTS = 3, 30, 6
ATTACKS = ("posters", "sign-ups", "uploads")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_ready(url: str, timeout: float = 600) -> None:
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


def _probe(url: str, seconds: float, results: Any) -> None:
    """In its own process: GET /healthz one at a time for `seconds`; put the latencies (ms) on the queue."""
    import httpx

    latencies: list[float] = []
    deadline = time.monotonic() + seconds
    with httpx.Client(timeout=30) as http:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                http.get(url)
                latencies.append((time.perf_counter() - started) * 1000)
            except httpx.HTTPError:
                latencies.append(float("inf"))
            time.sleep(PROBE_INTERVAL)
    results.put(latencies)


def _measure_health(base: str, seconds: float) -> list[float]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_probe, args=(base + "/healthz", seconds, queue))
    process.start()
    latencies: list[float] = queue.get(timeout=seconds + 120)
    process.join()
    return latencies


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else float("nan")


def bomb_png(edge: int) -> bytes:
    """A PNG of edge x edge grey pixels in a few tens of KB (rows written one by one, never decoded here)."""
    compressor = zlib.compressobj(9)
    row = b"\x00" + b"\x80" * (edge * 3)
    data = b"".join(compressor.compress(row) for _ in range(edge)) + compressor.flush()

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", edge, edge, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def photo_jpeg(edge: int) -> bytes:
    from PIL import Image

    noise = Image.effect_noise((edge, edge), 60).convert("RGB")
    out = io.BytesIO()
    noise.save(out, format="JPEG", quality=85)
    return out.getvalue()


class Attack:
    """The attacking clients: each request claims a fresh address through the trusted proxy header."""

    def __init__(self, base: str, stop: asyncio.Event) -> None:
        self.base = base
        self.stop = stop
        self.outcomes: dict[str, Counter[str]] = {"posters": Counter(), "sign-ups": Counter(), "uploads": Counter()}
        self._addresses = itertools.count(1)

    def address(self) -> dict[str, str]:
        number = next(self._addresses)
        return {"x-forwarded-for": f"198.18.{number // 250 % 250}.{number % 250 + 1}"}

    def count(self, kind: str, status: int | str) -> None:
        self.outcomes[kind][str(status)] += 1

    async def posters(self, http: Any, slugs: list[str]) -> None:
        while not self.stop.is_set():
            for slug, kind in itertools.product(slugs, ("pdf", "svg")):
                if self.stop.is_set():
                    return
                response = await http.get(f"/api/v1/attractions/{slug}/poster.{kind}", headers=self.address())
                self.count("posters", response.status_code)

    async def sign_ups(self, http: Any) -> None:
        while not self.stop.is_set():
            email = f"bot-{secrets.token_hex(6)}@example.test"
            response = await http.post("/api/v1/auth/sign-up", headers=self.address(),
                                       json={"email": email, "password": secrets.token_urlsafe(16)})
            self.count("sign-ups", response.status_code)

    async def open_shop(self) -> tuple[Any, int] | None:
        """A new account (its own session cookie) and its pending shop."""
        import httpx

        own = httpx.AsyncClient(base_url=self.base, timeout=120)
        email = f"shop-{secrets.token_hex(6)}@example.test"
        await own.post("/api/v1/auth/sign-up", headers=self.address(),
                       json={"email": email, "password": secrets.token_urlsafe(16)})
        shop = await own.post("/api/v1/manage/merchants/", headers=self.address(),
                              json={"name": f"Shop {email[5:11]}", "phone": "0912345678"})
        if shop.status_code >= 300:
            self.count("uploads", f"no shop: {shop.status_code}")
            await own.aclose()
            return None
        await own.get("/vi/account")  # sets the CSRF cookie; a multipart upload sends it back as a header
        own.headers["x-csrftoken"] = own.cookies.get("csrftoken", "")
        return own, shop.json()["id"]

    async def uploads(self, own: Any, merchant_id: int, images: list[tuple[str, bytes, str]]) -> None:
        for name, data, media_type in itertools.cycle(images):
            if self.stop.is_set():
                return
            response = await own.post(f"/api/v1/manage/merchants/{merchant_id}/logo", headers=self.address(),
                                      files={"file": (name, data, media_type)})
            self.count("uploads", response.status_code)
            if response.status_code == 429:
                return  # the quota of an unapproved shop is reached


async def _attack(base: str, seconds: float, slugs: list[str],
                  only: list[str]) -> tuple[dict[str, Counter[str]], list[float]]:
    import httpx

    stop = asyncio.Event()
    attack = Attack(base, stop)
    images = [("bomb.png", bomb_png(6300), "image/png"), ("photo.jpg", photo_jpeg(3000), "image/jpeg")]
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as http:
        # The shops are opened first: their owners' sign-ups must not wait behind the sign-up attack.
        shops = [shop for shop in await asyncio.gather(*[attack.open_shop() for _ in range(UPLOAD_CLIENTS)])
                 if shop is not None] if "uploads" in only else []
        tasks = [asyncio.ensure_future(attack.posters(http, slugs))
                 for _ in range(POSTER_CLIENTS if "posters" in only else 0)]
        tasks += [asyncio.ensure_future(attack.sign_ups(http))
                  for _ in range(SIGN_UP_CLIENTS if "sign-ups" in only else 0)]
        tasks += [asyncio.ensure_future(attack.uploads(client, merchant_id, images)) for client, merchant_id in shops]
        # /healthz is probed while every attacking client is busy, from the first to the last second.
        health = await asyncio.to_thread(_measure_health, base, seconds)
        stop.set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for client, _ in shops:
            await client.aclose()
    return attack.outcomes, health


def _worker_rss(server: subprocess.Popen[bytes], peak: dict[str, float], stop: threading.Event) -> None:
    import psutil

    root = psutil.Process(server.pid)
    while not stop.wait(0.2):
        try:
            for child in root.children(recursive=True):
                if child.name() != "postgres":
                    peak["worker"] = max(peak.get("worker", 0.0), child.memory_info().rss / 2**20)
        except psutil.Error:
            pass


def _attraction_slugs(base: str) -> list[str]:
    import json

    with urllib.request.urlopen(base + "/api/v1/attractions?limit=100", timeout=30) as response:
        page = json.loads(response.read())
    return [item["slug"] for item in page["items"]]


def _machine() -> str:
    cpu = platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, load average " \
           f"{os.getloadavg()[0]:.1f} at the end"


def _row(phase: str, latencies: list[float]) -> str:
    finite = [value for value in latencies if value != float("inf")]
    failed = len(latencies) - len(finite)
    if not finite:
        return f"| {phase} | {len(latencies)} | – | – | – | {failed} (no answer within 30 s) |"
    return (f"| {phase} | {len(latencies)} | {statistics.median(finite):.1f} | {_percentile(finite, 0.99):.1f} | "
            f"{max(finite):.1f} | {failed} |")


def run(args: argparse.Namespace) -> list[str]:
    data_dir = Path(tempfile.mkdtemp(prefix="mkt-abuse-"))
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SECRET_KEY")}
    env.update(DATA_DIR=str(data_dir), TRUSTED_PROXIES="127.0.0.0/8", BASE_URL=base, RUN_INDEXER="true")
    command = [sys.executable, "-m", "marketplace.cli", "serve", "--demo", "--port", str(port),
               "--workers", str(args.workers)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    peak: dict[str, float] = {}
    stop_sampling = threading.Event()
    try:
        _wait_ready(base + "/readyz")
        slugs = _attraction_slugs(base)
        idle = _measure_health(base, args.seconds)
        sampler = threading.Thread(target=_worker_rss, args=(server, peak, stop_sampling), daemon=True)
        sampler.start()
        outcomes, health = asyncio.run(_attack(base, args.seconds, slugs, args.only or list(ATTACKS)))
    finally:
        stop_sampling.set()
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        shutil.rmtree(data_dir, ignore_errors=True)
    lines = [
        f"granian, {args.workers} worker(s), demo data ({len(slugs)} attractions), embedded PostgreSQL, "
        f"{args.seconds:g} s per phase; {_machine()}",
        "",
        "| /healthz | requests | p50 ms | p99 ms | max ms | failed |",
        "|---|---|---|---|---|---|",
        _row("idle", idle),
        _row("during the attack", health),
        "",
        "| attack | clients | answers (status: count) |",
        "|---|---|---|",
    ]
    clients = {"posters": POSTER_CLIENTS, "sign-ups": SIGN_UP_CLIENTS, "uploads": UPLOAD_CLIENTS}
    for kind, counter in outcomes.items():
        answers = ", ".join(f"{status}: {count}" for status, count in sorted(counter.items()))
        lines.append(f"| {kind} | {clients[kind]} | {answers} |")
    lines += ["", f"peak RSS of a server worker process during the attack: {peak.get('worker', 0):.0f} MB"]
    return lines


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the tables."""
    parser = argparse.ArgumentParser(prog="python -m marketplace.bench.abuse", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="seconds per phase (default 20)")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes (default 1)")
    parser.add_argument("--only", action="append", choices=ATTACKS, help="run only this attack (repeatable)")
    args = parser.parse_args(argv)
    print("\n".join(run(args)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
