"""Several servers on one database: pool sizes, the read replica, the direct URL beside PgBouncer."""

import asyncio
from pathlib import Path

import pytest

from marketplace import cli, composition
from marketplace.platform.database import create_pool
from marketplace.platform.runtime import Runtime
from marketplace.platform.settings import SettingsError, load_settings
from marketplace.platform.templating import create_environment
from search import repository as search_repository
from tests.browser import free_port
from tests.conftest import create_test_database, drop_test_database
from tests.helpers import listening_sessions

KEY = "s" * 40


@pytest.mark.parametrize(
    ("values", "variable", "fragment"),
    [
        ({"DATABASE_POOL_MAX": "0"}, "DATABASE_POOL_MAX", "between 1 and 500"),
        ({"SEARCH_POOL_MAX": "many"}, "SEARCH_POOL_MAX", "whole number"),
        ({"DATABASE_REPLICA_URL": "mysql://h/db"}, "DATABASE_REPLICA_URL", "postgresql://"),
        ({"DATABASE_PGBOUNCER": "true"}, "DATABASE_DIRECT_URL", "required with DATABASE_PGBOUNCER"),
    ],
)
def test_database_settings_name_the_variable(tmp_path: Path, values, variable, fragment) -> None:
    env = {"DATA_DIR": str(tmp_path), "DATABASE_URL": "postgresql://app@db/market", "SECRET_KEY": KEY, **values}
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    assert caught.value.variable == variable and fragment in str(caught.value)


def test_replica_needs_an_external_database(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as caught:
        load_settings({"DATA_DIR": str(tmp_path), "DATABASE_REPLICA_URL": "postgresql://app@replica/market"})
    assert caught.value.variable == "DATABASE_REPLICA_URL"


async def test_pools_replica_and_direct_listen(pg, template_db, db_uri: str, pool, tmp_path: Path) -> None:
    replica = await create_test_database(pg, template_db)  # stands in for a streaming replica of db_uri
    settings = load_settings({
        "DATABASE_URL": db_uri, "SECRET_KEY": KEY, "DATA_DIR": str(tmp_path), "RUN_INDEXER": "false",
        "DATABASE_POOL_MAX": "3", "SEARCH_POOL_MAX": "2", "DATABASE_REPLICA_URL": pg.uri(replica),
        "DATABASE_DIRECT_URL": db_uri,
    })
    runtime = Runtime(settings=settings, templates=create_environment())
    await composition.start_runtime(runtime, background=True)
    try:
        assert runtime.pool.get_max_size() == 3
        assert runtime.search_pool.get_max_size() == 2
        async with runtime.search_pool.acquire() as connection:
            assert await connection.fetchval("SELECT current_database()") == replica
        for _ in range(600):  # within 30 s (a loaded CI runner), the indexer LISTENs on the direct connection
            if await listening_sessions(pool, search_repository.NOTIFY_CHANNEL, "marketplace-direct"):
                break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("the indexer never listened on DATABASE_DIRECT_URL")
    finally:
        await composition.stop_runtime(runtime)
        await drop_test_database(pg, replica)


async def test_pgbouncer_mode_keeps_no_prepared_statements(db_uri: str) -> None:
    for pgbouncer, expected in ((False, True), (True, False)):
        pool = await create_pool(db_uri, min_size=1, max_size=1, pgbouncer=pgbouncer)
        try:
            async with pool.acquire() as connection:
                await connection.fetchval("SELECT $1::int + 1", 1)
                named = await connection.fetchval("SELECT count(*) FROM pg_prepared_statements")
            assert (named > 0) is expected
        finally:
            await pool.close()


def test_migrate_holds_its_lock_on_the_direct_url(db_uri: str, tmp_path: Path, monkeypatch, capsys) -> None:
    # DATABASE_URL (a pooler here) is not even reachable: migrations and their session lock use the direct URL.
    monkeypatch.setenv("DATABASE_URL", f"postgresql://app@127.0.0.1:{free_port()}/market")
    monkeypatch.setenv("DATABASE_DIRECT_URL", db_uri)
    monkeypatch.setenv("SECRET_KEY", KEY)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert cli.main(["migrate"]) == 0
    assert "database is up to date" in capsys.readouterr().out
