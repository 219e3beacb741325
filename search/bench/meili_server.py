"""A throwaway Meilisearch server on a free loopback port, for the conformance tests and the search benchmark.

The binary is the one `.ci/meilisearch.sh` installs after checking its hash (docs/meilisearch.md), or any
Meilisearch 1.x named by MEILISEARCH_BIN.
"""

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

__all__ = ["MeilisearchServer", "find_binary", "DEFAULT_BINARY"]

_CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
DEFAULT_BINARY = _CACHE / "marketplace" / "meilisearch-1.21.0" / "meilisearch"


def find_binary() -> Path | None:
    """MEILISEARCH_BIN, else where `.ci/meilisearch.sh` puts it (MEILISEARCH_HOME honoured), if executable."""
    if named := os.environ.get("MEILISEARCH_BIN"):
        candidate = Path(named)
    elif home := os.environ.get("MEILISEARCH_HOME"):
        candidate = Path(home) / "meilisearch"
    else:
        candidate = DEFAULT_BINARY
    return candidate if candidate.is_file() and os.access(candidate, os.X_OK) else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MeilisearchServer:
    """Starts the binary with its data in a temporary directory; `stop()` ends it and removes the data."""

    def __init__(self, binary: Path, *, start_timeout_s: float = 60.0) -> None:
        self.binary = binary
        self.start_timeout_s = start_timeout_s
        self.api_key = secrets.token_urlsafe(24)
        self.url = ""
        self._dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> "MeilisearchServer":
        self._dir = Path(tempfile.mkdtemp(prefix="mkt-meili-"))
        for _attempt in range(3):  # another process may take the free port between probing and binding
            port = _free_port()
            self.url = f"http://127.0.0.1:{port}"
            log = (self._dir / "meilisearch.log").open("ab")
            self._process = subprocess.Popen(
                [
                    str(self.binary), "--http-addr", f"127.0.0.1:{port}", "--db-path", str(self._dir / "data"),
                    "--no-analytics", "--env", "development", "--master-key", self.api_key,
                ],
                stdout=log, stderr=subprocess.STDOUT, cwd=self._dir,
            )
            log.close()
            if self._wait_healthy():
                return self
            self._end_process()
        log_text = (self._dir / "meilisearch.log").read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"Meilisearch did not start: {log_text}")

    def _wait_healthy(self) -> bool:
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._process is None or self._process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"{self.url}/health", timeout=1) as answer:
                    if answer.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        return False

    def _end_process(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None

    def stop(self) -> None:
        self._end_process()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def __enter__(self) -> "MeilisearchServer":
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.stop()
