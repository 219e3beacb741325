"""`marketplace serve` stops on SIGTERM even while its workers are still starting (a deploy or an orchestrator
restarting a server right after it began): granian's stop misses a worker that has not finished starting,
and `serve` used to wait for it forever."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from marketplace.cli import WORKERS_KILL_TIMEOUT_SECONDS
from tests.browser import free_port
from tests.helpers import wait_until


def test_sigterm_while_the_workers_start_stops_the_server(db_uri: str, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": db_uri, "SECRET_KEY": "s" * 40, "DATA_DIR": str(tmp_path / "data"),
           "RUN_INDEXER": "false"}
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        process = subprocess.Popen([sys.executable, "-m", "marketplace.cli", "serve", "--port", str(free_port()),
                                    "--workers", "2"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        try:
            # Both workers spawned, neither has imported the app yet (that takes a second or two).
            wait_until(lambda: "Spawning worker-2" in log_path.read_text(), "the second worker's spawn", 60,
                       interval=0.02)
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=WORKERS_KILL_TIMEOUT_SECONDS + 30) == 0
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
