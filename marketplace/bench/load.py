"""Load generators for the page benchmark: wrk when installed, else a small asyncio HTTP/1.1 client.

Both keep `connections` kept-alive connections busy for `duration` seconds and report requests/s, p50 and
p99 latency and the count of non-2xx answers. The Python one is itself CPU-bound: on a small machine it
lowers every figure, ceiling included, so compare routes within one run only.
"""

import asyncio
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["LoadResult", "run_load", "generator_name"]


@dataclass
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    timeouts: int = 0


def generator_name() -> str:
    return "wrk -t2" if shutil.which("wrk") else "built-in asyncio client"


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if match is None:
        return float("nan")
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def _wrk(url: str, duration: float, connections: int) -> LoadResult:
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency", url],
                            capture_output=True, text=True, check=True).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE)
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"timeout (\d+)", output)  # wrk gives up on a request after 2 s
    return LoadResult(
        rps=float(rps.group(1)) if rps else 0.0,
        p50_ms=_ms(p50.group(1)) if p50 else float("nan"),
        p99_ms=_ms(p99.group(1)) if p99 else float("nan"),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        timeouts=int(timeouts.group(1)) if timeouts else 0,
    )


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one response; return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _python_load(url: str, duration: float, connections: int) -> LoadResult:
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: */*\r\n\r\n".encode()
    latencies: list[float] = []
    non_2xx = 0
    deadline = time.perf_counter() + duration

    async def connection() -> None:
        nonlocal non_2xx
        reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
        try:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                writer.write(request)
                status = await _read_response(reader)
                latencies.append((time.perf_counter() - started) * 1000)
                non_2xx += not 200 <= status < 400
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(connections)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies) or [float("nan")]
    return LoadResult(rps=len(latencies) / elapsed, p50_ms=ordered[len(ordered) // 2],
                      p99_ms=ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], non_2xx=non_2xx)


def run_load(url: str, duration: float, connections: int) -> LoadResult:
    """Load one URL: wrk if installed, else the asyncio client."""
    if shutil.which("wrk"):
        return _wrk(url, duration, connections)
    return asyncio.run(_python_load(url, duration, connections))
