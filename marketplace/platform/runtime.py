"""What the running service holds: settings, the pool, the search engine, templates, background tasks."""

import asyncio
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import jinja2
from litestar.datastructures import State

from marketplace.platform.settings import Settings

__all__ = ["Runtime", "RUNTIME_KEY", "runtime_of"]

RUNTIME_KEY = "marketplace"


@dataclass
class Runtime:
    """Shared by every request of one process; stored in the Litestar app state."""

    settings: Settings
    templates: jinja2.Environment
    path_prefix: str = ""
    pool: asyncpg.Pool | None = None
    dsn: str | None = None
    search_pool: asyncpg.Pool | None = None
    """The PostgreSQL search engine's own pool: a page that holds a request connection while it searches
    must never wait for a connection from the pool it holds one of."""
    outboxes: dict[str, Any] = field(default_factory=dict)
    """Outboxes besides search's, by name: `async (connection) -> (pending, oldest_seconds)`, for /readyz and
    /metrics (registered by the composition, since the platform cannot import the packages that own them)."""
    replica_pool: asyncpg.Pool | None = None
    """A pool on DATABASE_REPLICA_URL for the anonymous reads of routes marked `read_replica` (pages and JSON
    a visitor browses); None reads everything from the primary."""
    listen_pool: asyncpg.Pool | None = None
    """A small pool on DATABASE_DIRECT_URL for LISTEN, when DATABASE_URL goes through PgBouncer."""
    search_engine: Any = None
    images: Any = None
    tasks: list[asyncio.Task[Any]] = field(default_factory=list)
    embedded: Any = None
    sign_in_hooks: list[Any] = field(default_factory=list)
    stop_events: list[asyncio.Event] = field(default_factory=list)

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the database pool is not open yet")
        return self.pool


def runtime_of(state: State) -> Runtime:
    """The runtime from an app's state."""
    return state[RUNTIME_KEY]
