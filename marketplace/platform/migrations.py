"""Ordered .sql migrations owned by each package, applied once each under an advisory lock."""

import hashlib
import logging
from dataclasses import dataclass
from importlib import resources

import asyncpg

__all__ = ["Migration", "MIGRATION_PACKAGES", "discover_migrations", "apply_migrations"]

log = logging.getLogger("marketplace.migrations")

# Lower layers first: a package's tables may reference only the packages above it in this list.
MIGRATION_PACKAGES: tuple[str, ...] = ("search", "tourism", "marketplace")

# Any constant works; it only has to be the same in every process that migrates this database.
ADVISORY_LOCK_KEY = 0x6D6B7470  # "mktp"

CREATE_LEDGER = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    package text NOT NULL,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (package, name)
)
"""


@dataclass(frozen=True, slots=True)
class Migration:
    """One forward-only .sql file."""

    package: str
    name: str
    sql: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.sql.encode()).hexdigest()


def discover_migrations(packages: tuple[str, ...] = MIGRATION_PACKAGES) -> list[Migration]:
    """Every package's migrations/*.sql in package order, then file-name order."""
    found: list[Migration] = []
    for package in packages:
        folder = resources.files(package).joinpath("migrations")
        if not folder.is_dir():
            continue
        files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
        found.extend(Migration(package, f.name, f.read_text(encoding="utf-8")) for f in files)
    return found


# Tables created by any package's migrations bump the content version (the anonymous response cache's
# validator) unless exempted; see marketplace/migrations/20261206_3701_content_version.sql.
async def watch_new_tables(connection: asyncpg.Connection) -> None:
    """Put the content-version trigger on tables the last migrations created."""
    if await connection.fetchval("SELECT to_regprocedure('watch_content_tables()') IS NOT NULL"):
        async with connection.transaction():
            await connection.execute("SELECT watch_content_tables()")


async def apply_migrations(connection: asyncpg.Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply what is not yet applied; safe to run from several processes at once. Returns what ran."""
    pending_migrations = discover_migrations() if migrations is None else migrations
    applied_now: list[str] = []
    # A session-level lock: a second process waits here, then finds everything recorded.
    await connection.execute("SELECT pg_advisory_lock($1)", ADVISORY_LOCK_KEY)
    try:
        await connection.execute(CREATE_LEDGER)
        rows = await connection.fetch("SELECT package, name, checksum FROM schema_migrations")
        applied = {(row["package"], row["name"]): row["checksum"] for row in rows}
        for migration in pending_migrations:
            key = (migration.package, migration.name)
            if key in applied:
                if applied[key] != migration.checksum:
                    log.warning("migration %s/%s changed after it was applied", *key)
                continue
            async with connection.transaction():
                await connection.execute(migration.sql)
                await connection.execute(
                    "INSERT INTO schema_migrations (package, name, checksum) VALUES ($1, $2, $3)",
                    migration.package, migration.name, migration.checksum,
                )
            applied_now.append(f"{migration.package}/{migration.name}")
            log.info("applied migration %s/%s", *key)
        if applied_now:
            await watch_new_tables(connection)
    finally:
        await connection.execute("SELECT pg_advisory_unlock($1)", ADVISORY_LOCK_KEY)
    return applied_now
