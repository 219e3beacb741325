"""The console script as a person uses it: serve on the embedded database, restart, stop cleanly."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.browser import free_port
from tests.helpers import wait_until


def _postgres_processes(pgdata: Path) -> list[str]:
    listing = subprocess.run(["ps", "-eww", "-o", "pid,args"], capture_output=True, text=True).stdout
    return [line for line in listing.splitlines() if str(pgdata) in line and "postgres" in line]


def _await_postgres_gone(pgdata: Path) -> None:
    # The postmaster's children exit a moment after it answers the stop; a stuck one stays past the bound.
    wait_until(lambda: not _postgres_processes(pgdata), "the embedded PostgreSQL's exit after the service's")


def _serve(data_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {**os.environ, "DATA_DIR": str(data_dir), "RUN_INDEXER": "false"}
    env.pop("DATABASE_URL", None)
    env.pop("SECRET_KEY", None)
    return subprocess.Popen([sys.executable, "-m", "marketplace.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _wait_for_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if "serving at" in line:
            return line.split("serving at", 1)[1].split()[0]
        if not line and process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
    raise AssertionError("serve printed no URL")


def _get(url: str) -> tuple[int, str]:
    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.status, response.read().decode()
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} never answered")


def test_serve_prints_url_restarts_on_same_data_and_stops_cleanly(tmp_path: Path) -> None:
    data_dir = tmp_path / "d"
    port = free_port()
    process = _serve(data_dir, port)
    try:
        url = _wait_for_url(process)
        assert url == f"http://127.0.0.1:{port}/"
        status, body = _get(url + "vi/")
        assert status == 200 and '<html lang="vi" dir="ltr">' in body
        status, body = _get(url + "ar/")
        assert 'dir="rtl"' in body
        assert _postgres_processes(data_dir / "pgdata")
        key = (data_dir / "secret_key").read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    _await_postgres_gone(data_dir / "pgdata")

    env = {**os.environ, "DATA_DIR": str(data_dir), "MARKETPLACE_PASSWORD": "a long enough password"}
    env.pop("DATABASE_URL", None)
    created = subprocess.run([sys.executable, "-m", "marketplace.cli", "createuser", "--email", "ed@example.vn",
                              "--role", "editor"], env=env, capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    assert "roles editor" in created.stdout
    again = subprocess.run([sys.executable, "-m", "marketplace.cli", "createuser", "--email", "ed@example.vn",
                            "--role", "editor"], env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 2 and "already exists" in again.stderr and "Traceback" not in again.stderr

    process = _serve(data_dir, port)
    try:
        _wait_for_url(process)
        status, _ = _get(f"http://127.0.0.1:{port}/readyz")
        assert status == 200
        assert (data_dir / "secret_key").read_text() == key
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    _await_postgres_gone(data_dir / "pgdata")


def test_every_command_has_help() -> None:
    for command in ("serve", "migrate", "seed", "createuser", "indexer", "search", "i18n"):
        result = subprocess.run([sys.executable, "-m", "marketplace.cli", command, "--help"], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0 and "usage: marketplace" in result.stdout, command
