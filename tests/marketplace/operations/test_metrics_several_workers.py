"""With PROMETHEUS_MULTIPROC_DIR, /metrics adds up every worker of a server, and an earlier run's files go;
and what a worker logs is one JSON object per line.

A real `marketplace serve --workers 2` (granian) on the test's database: whichever worker answers the scrape,
it reports the requests that both answered.
"""

import json
import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.browser import free_port
from tests.helpers import wait_until

TOKEN = "metrics-token-0123456789"
REQUESTS = 40


def _get(url: str, token: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"} if token else {})
    # urllib opens a new connection per request, so the server's workers share them out.
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def _healthz_answers(base: str) -> float:
    _, text = _get(base + "metrics", TOKEN)
    return sum(sample.value for family in text_string_to_metric_families(text) for sample in family.samples
               if sample.name == "marketplace_http_requests_total" and sample.labels.get("route") == "/healthz")


def test_metrics_add_up_the_workers_of_a_server(db_uri: str, tmp_path: Path) -> None:
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    # Left by an earlier run: counted again (or, being garbage, breaking every scrape) unless serve clears it.
    (metrics_dir / "counter_999999.db").write_bytes(b"not a metrics file")
    port = free_port()
    env = {**os.environ, "DATABASE_URL": db_uri, "SECRET_KEY": "s" * 40, "DATA_DIR": str(tmp_path / "data"),
           "RUN_INDEXER": "false", "METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    process = subprocess.Popen([sys.executable, "-m", "marketplace.cli", "serve", "--port", str(port),
                                "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        def ready() -> bool:
            try:
                return _get(base + "readyz")[0] == 200
            except OSError:
                return False

        wait_until(ready, "the server's readiness", 90)
        assert not (metrics_dir / "counter_999999.db").exists()
        before = _healthz_answers(base)
        for _ in range(REQUESTS):
            assert _get(base + "healthz")[0] == 200
        # A request is counted just after its answer is sent: wait for the last one, then check nothing else.
        wait_until(lambda: _healthz_answers(base) >= before + REQUESTS, "every probe counted")
        assert [_healthz_answers(base) for _ in range(6)] == [before + REQUESTS] * 6
        assert _get(base + "api/v1/attractions")[0] == 200  # probes are counted, not logged: a logged route
        worker_files = {path.name for path in metrics_dir.glob("counter_*.db")}
        assert worker_files, "the workers wrote no metrics files"
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            # A clean stop is test_cli's subject; here it only must not leave workers behind (seen once at load 14).
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
        log.close()
    # Litestar's default logging config once replaced the JSON handler in the workers with a text format.
    lines = [line for line in log_path.read_text().splitlines() if line and "serving at" not in line]
    entries = [json.loads(line) for line in lines]
    requests = [entry for entry in entries
                if entry.get("logger") == "marketplace.access" and entry.get("path") == "/api/v1/attractions"]
    assert requests
    assert {"time", "level", "event", "request_id", "method", "path", "status", "duration_ms"} <= set(requests[0])
