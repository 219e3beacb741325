"""Rate limits shared by every server process: fixed-window counters in PostgreSQL.

A limit is a name, a number of hits and a window; the key says whose hits count together (a client
address, an account, a phone number...). Counting is one upsert, so it holds across servers.
"""

from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg

from marketplace.platform import repository
from marketplace.platform.errors import TooManyRequests

__all__ = ["RateLimit", "count_hit", "enforce", "delete_old_windows", "window_clock"]

@dataclass(frozen=True, slots=True)
class RateLimit:
    """At most `hits` per `window_seconds` for one key; `name` keeps different limits apart."""

    name: str
    hits: int
    window_seconds: int

    def window_start(self, now: datetime) -> datetime:
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % self.window_seconds, UTC)


def window_clock() -> datetime:
    """The instant a hit is counted at when the caller gives none (one place, so tests can hold it still)."""
    return datetime.now(UTC)


async def count_hit(db: asyncpg.Connection | asyncpg.Pool, limit: RateLimit, key: str,
                    now: datetime | None = None) -> bool:
    """Count one hit; True while the key is within its limit (this hit included)."""
    moment = now or window_clock()
    hits = await repository.count_rate_limit_hit(db, f"{limit.name}:{key}", limit.window_start(moment))
    return hits <= limit.hits


async def enforce(db: asyncpg.Connection | asyncpg.Pool, limit: RateLimit, key: str | None,
                  now: datetime | None = None) -> None:
    """Count one hit and refuse it with 429 once the key is over its limit. No key (unknown client): no limit."""
    if key is None:
        return
    if not await count_hit(db, limit, key, now):
        raise TooManyRequests("Too many requests. Please wait a moment and try again.", code="rate_limited",
                              details={"retry_after_seconds": limit.window_seconds},
                              headers={"Retry-After": str(limit.window_seconds)})


async def delete_old_windows(db: asyncpg.Connection | asyncpg.Pool, older_than_seconds: int = 86400) -> int:
    """Forget counters of windows that ended long ago (housekeeping)."""
    return await repository.delete_rate_limit_windows(db, older_than_seconds)
