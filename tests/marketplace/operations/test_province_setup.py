"""Proven on one machine: an external PostgreSQL, `marketplace migrate`, two `serve` (RUN_INDEXER=false), two
`marketplace worker`, an S3 server (moto's, over HTTP) and, where its binary is installed, Meilisearch.

A product created through the first server is found through the second within 5 s, an image uploaded through
one is served by the other from the bucket, and killing one worker (SIGKILL) loses no index update.
"""

import asyncio
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiobotocore.session
import asyncpg
import httpx
import pytest
from moto.server import ThreadedMotoServer

from marketplace.accounts import service as accounts
from marketplace.platform.database import init_connection
from marketplace.platform.principal import SystemActor
from search import repository as search_repository
from tests.browser import free_port
from tests.helpers import listening_sessions, wait_until
from tests.marketplace.factories import make_merchant
from tests.marketplace.media.test_object_storage import BUCKET, KEYS, _png

# Well under the indexer's 30 s poll: only the NOTIFY of the committing transaction finds it in time.
FOUND_WITHIN_SECONDS = 15.0
EMAIL, PASSWORD = "htx.nho@example.vn", "a long enough password"
# Awaited, not slept: a few seconds on an idle machine, much longer on a loaded CI runner.
STARTUP_SECONDS = 180.0


class Processes:
    """Every process the test starts, stopped (and killed if need be) at the end."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.running: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(args, env=env, stdout=log, stderr=subprocess.STDOUT)
        self.running[name] = process
        return process

    def log_of(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-3000:]

    def stop_all(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    running = Processes(tmp_path)
    yield running
    running.stop_all()


def _meilisearch(processes: Processes, tmp_path: Path) -> dict[str, str]:
    # .ci/run exports the hash-checked binary it installed; elsewhere one on the PATH will do.
    binary = os.environ.get("MEILISEARCH_BIN") or shutil.which("meilisearch")
    if binary is None:
        return {}  # the PostgreSQL search engine: still several servers and workers on one index
    port, key = free_port(), "meili-master-key-0123456789"
    processes.start("meilisearch", [binary, "--http-addr", f"127.0.0.1:{port}", "--db-path",
                                    str(tmp_path / "meili"), "--master-key", key, "--no-analytics"], dict(os.environ))
    return {"MEILISEARCH_URL": f"http://127.0.0.1:{port}", "MEILISEARCH_API_KEY": key}


def _ready(url: str, process: subprocess.Popen[bytes]) -> bool:
    assert process.poll() is None, f"{url} exited with {process.returncode}"
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _indexers_listening(uri: str) -> int:
    async def count() -> int:
        connection = await asyncpg.connect(uri)
        try:
            return await listening_sessions(connection, search_repository.NOTIFY_CHANNEL)
        finally:
            await connection.close()

    return asyncio.run(count())


def _found(url: str, name: str, product_id: int) -> bool:
    response = httpx.get(f"{url}/api/v1/search", params={"q": name, "locale": "vi"}, timeout=5)
    return response.status_code == 200 and any(
        hit["document"]["id"] == f"product:{product_id}" for hit in response.json()["hits"])


def _create_product(http: httpx.Client, url: str, merchant_id: int, name: str) -> int:
    response = http.post(f"{url}/api/v1/manage/merchants/{merchant_id}/products", timeout=10,
                         json={"name": {"vi": name}, "category_slug": "fresh-fruit", "unit": "kg", "publish": True,
                                "variants": [{"label": {"vi": "1 kg"}, "price": 60000, "stock": 5}]})
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def _new_database(pg) -> str:  # type: ignore[no-untyped-def]
    name = f"province_{os.getpid()}_{free_port()}"
    admin = await asyncpg.connect(pg.uri("postgres"))
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    finally:
        await admin.close()
    return name


async def _merchant(dsn: str) -> int:
    connection = await asyncpg.connect(dsn)
    try:
        await init_connection(connection)
        user = await accounts.create_user(connection, email=EMAIL, password=PASSWORD, roles=["customer"],
                                          display_name="Hợp tác xã")
        _, merchant = await make_merchant(connection, SystemActor(user.id, frozenset(user.roles)))
    finally:
        await connection.close()
    return merchant.id


async def _create_bucket(endpoint: str) -> None:
    async with aiobotocore.session.get_session().create_client(
            "s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id=KEYS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=KEYS["AWS_SECRET_ACCESS_KEY"]) as s3:
        await s3.create_bucket(Bucket=BUCKET)


@pytest.fixture(scope="module")
def s3_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_two_servers_two_workers_one_database(pg, tmp_path: Path, processes: Processes, s3_server: str) -> None:
    s3_endpoint = s3_server
    asyncio.run(_create_bucket(s3_endpoint))
    database = asyncio.run(_new_database(pg))
    env = {**os.environ, "DATABASE_URL": pg.uri(database), "SECRET_KEY": "p" * 40, "RUN_INDEXER": "false",
           "MEDIA_URL": f"s3://{BUCKET}/province", "S3_ENDPOINT_URL": s3_endpoint, **KEYS,
           **_meilisearch(processes, tmp_path)}
    cli = [sys.executable, "-m", "marketplace.cli"]
    migrated = subprocess.run([*cli, "migrate"], env={**env, "DATA_DIR": str(tmp_path / "m")}, capture_output=True,
                              text=True, timeout=120)
    assert migrated.returncode == 0, migrated.stderr
    merchant_id = asyncio.run(_merchant(pg.uri(database)))

    ports = [free_port(), free_port()]
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    for number, port in enumerate(ports):
        processes.start(f"serve{number}", [*cli, "serve", "--port", str(port)],
                        {**env, "DATA_DIR": str(tmp_path / f"s{number}"), "BASE_URL": servers[number]})
    for number in range(2):
        processes.start(f"worker{number}", [*cli, "worker"], {**env, "DATA_DIR": str(tmp_path / f"w{number}")})
    for number, url in enumerate(servers):
        try:
            wait_until(lambda url=url, n=number: _ready(url, processes.running[f"serve{n}"]), f"{url}/readyz",
                   STARTUP_SECONDS)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{processes.log_of(f'serve{number}')}") from None

    # One browser-like client: the session cookie of one server is good on the other (sessions are in the database).
    http = httpx.Client(timeout=30)
    signed_in = http.post(f"{servers[0]}/api/v1/auth/sign-in", json={"email": EMAIL, "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text

    # A worker's indexer LISTENs once its engine is set up (Meilisearch answering): a NOTIFY before that wakes
    # nobody, and the product would wait for the 30 s poll.
    wait_until(lambda: _indexers_listening(pg.uri(database)) == 2, "both workers' indexers listening", STARTUP_SECONDS)

    # Created through the first server, found through the second: a worker indexed it.
    grapes = _create_product(http, servers[0], merchant_id, "Nho Ba Mọi tím")
    wait_until(lambda: _found(servers[1], "Nho Ba Mọi", grapes), "the product on the second server",
           FOUND_WITHIN_SECONDS)

    # Uploaded through the second, served by the first from the bucket.
    http.get(f"{servers[1]}/vi/")  # a page visit sets the CSRF cookie that a multipart post must echo
    uploaded = http.post(f"{servers[1]}/api/v1/manage/products/{grapes}/images",
                         headers={"x-csrftoken": http.cookies["csrftoken"]},
                         files={"file": ("grapes.png", _png(), "image/png")})
    assert uploaded.status_code in (200, 201), uploaded.text
    image_url = uploaded.json()["images"][0]["urls"]["medium"]
    served = httpx.get(servers[0] + image_url, timeout=10)
    assert served.status_code == 200 and served.content[:4] == b"RIFF"

    # A worker killed outright: the other indexes what comes next, and nothing waits in the outbox.
    processes.running["worker0"].kill()
    garlic = _create_product(http, servers[1], merchant_id, "Tỏi Phan Rang")
    wait_until(lambda: _found(servers[0], "Tỏi Phan Rang", garlic), "the product after a worker died",
           FOUND_WITHIN_SECONDS)
    assert processes.running["worker1"].poll() is None, processes.log_of("worker1")
    ready = httpx.get(f"{servers[0]}/readyz", timeout=5).json()
    assert ready["search_outbox"]["pending"] == 0 and ready["search"] == "ok"
