"""The migration runner: idempotent, and safe when two processes migrate at once."""

import asyncio

import asyncpg

from marketplace.platform.database import init_connection
from marketplace.platform.migrations import Migration, apply_migrations, discover_migrations


async def test_discovered_in_layer_order() -> None:
    packages = [m.package for m in discover_migrations()]
    assert packages == sorted(packages, key=["search", "tourism", "marketplace"].index)
    assert packages[0] == "search"


async def test_template_is_fully_migrated(conn: asyncpg.Connection) -> None:
    recorded = await conn.fetchval("SELECT count(*) FROM schema_migrations")
    assert recorded == len(discover_migrations())
    assert await apply_migrations(conn) == []


async def test_concurrent_runs_apply_each_migration_once(db_uri: str) -> None:
    extra = [
        # The sleep keeps the first runner inside the lock long enough for the others to queue behind it.
        Migration("tests", "0001_counter.sql",
                  "CREATE TABLE migration_probe (n int); SELECT pg_sleep(0.2);"
                  " INSERT INTO migration_probe VALUES (1);"),
        Migration("tests", "0002_more.sql", "INSERT INTO migration_probe VALUES (2);"),
    ]
    connections = [await asyncpg.connect(db_uri) for _ in range(3)]
    try:
        for connection in connections:
            await init_connection(connection)
        results = await asyncio.gather(*(apply_migrations(c, extra) for c in connections))
        assert sorted(len(r) for r in results) == [0, 0, 2]
        assert await connections[0].fetchval("SELECT count(*) FROM migration_probe") == 2
        again = await apply_migrations(connections[0], extra)
        assert again == []
    finally:
        for connection in connections:
            await connection.close()


async def test_a_failing_migration_leaves_nothing_behind(db_uri: str) -> None:
    broken = [
        Migration("tests", "0001_ok.sql", "CREATE TABLE probe_ok (n int);"),
        Migration("tests", "0002_bad.sql", "CREATE TABLE probe_bad (n int); SELECT no_such_function();"),
    ]
    connection = await asyncpg.connect(db_uri)
    try:
        try:
            await apply_migrations(connection, broken)
        except asyncpg.PostgresError:
            pass
        else:
            raise AssertionError("the broken migration should have raised")
        assert await connection.fetchval("SELECT to_regclass('probe_ok') IS NOT NULL")
        assert await connection.fetchval("SELECT to_regclass('probe_bad') IS NULL")
        names = await connection.fetch("SELECT name FROM schema_migrations WHERE package = 'tests'")
        assert [r["name"] for r in names] == ["0001_ok.sql"]
        # The advisory lock was released: another run can proceed.
        assert await connection.fetchval(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())") == 0
    finally:
        await connection.close()
