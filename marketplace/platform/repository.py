"""SQL the shared web helpers need: who may act for a merchant, the agents' audit log, free slugs."""

from datetime import datetime
from typing import Any

import asyncpg
import msgspec

__all__ = [
    "AuditEntry",
    "count_rate_limit_hit",
    "delete_rate_limit_windows",
    "get_merchant_access_row",
    "insert_audit_entry",
    "list_audit_entries",
    "list_taken_slugs",
]


class AuditEntry(msgspec.Struct, frozen=True):
    """Who (agent), for whom (merchant), what (action, details), when."""

    id: int
    agent_user_id: int | None
    agent_name: str
    merchant_id: int
    action: str
    details: dict[str, Any]
    at: datetime


MERCHANT_ACCESS = """
SELECT m.owner_user_id,
       EXISTS (SELECT 1 FROM merchant_agents a
               WHERE a.merchant_id = m.id AND a.agent_user_id = $2 AND a.ended_at IS NULL) AS assisted
FROM merchants m WHERE m.id = $1
"""

INSERT_AUDIT_ENTRY = """
INSERT INTO agent_audit_log (agent_user_id, merchant_id, action, details) VALUES ($1, $2, $3, $4)
"""

LIST_AUDIT_ENTRIES = """
SELECT l.id, l.agent_user_id, coalesce(u.display_name, '') AS agent_name, l.merchant_id, l.action,
       l.details, l.at
FROM agent_audit_log l LEFT JOIN users u ON u.id = l.agent_user_id
WHERE l.merchant_id = $1 ORDER BY l.at DESC, l.id DESC LIMIT $2
"""

# Tables with a unique slug column; the table is chosen from this map, never from input.
TAKEN_SLUGS = {
    "merchants": "SELECT slug FROM merchants WHERE slug = $1 OR slug LIKE $1 || '-%'",
    "products": "SELECT slug FROM products WHERE slug = $1 OR slug LIKE $1 || '-%'",
}


async def get_merchant_access_row(conn: asyncpg.Connection, merchant_id: int, user_id: int) -> asyncpg.Record | None:
    """The merchant's owner and whether `user_id` assists it as an agent; None for an unknown merchant."""
    return await conn.fetchrow(MERCHANT_ACCESS, merchant_id, user_id)


async def insert_audit_entry(
    conn: asyncpg.Connection, agent_user_id: int, merchant_id: int, action: str, details: dict[str, Any]
) -> None:
    """Append one entry to the agents' audit log."""
    await conn.execute(INSERT_AUDIT_ENTRY, agent_user_id, merchant_id, action, details)


async def list_audit_entries(conn: asyncpg.Connection, merchant_id: int, limit: int) -> list[AuditEntry]:
    """A merchant's audit log, newest first."""
    rows = await conn.fetch(LIST_AUDIT_ENTRIES, merchant_id, limit)
    return [msgspec.convert(dict(row), AuditEntry) for row in rows]


async def list_taken_slugs(conn: asyncpg.Connection, table: str, base: str) -> set[str]:
    """The slugs of `table` equal to `base` or starting with `base-`."""
    return {row["slug"] for row in await conn.fetch(TAKEN_SLUGS[table], base)}


COUNT_RATE_LIMIT_HIT = """
INSERT INTO rate_limit_hits (key, window_start, hits) VALUES ($1, $2, 1)
ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limit_hits.hits + 1
RETURNING hits
"""


async def count_rate_limit_hit(db: asyncpg.Connection | asyncpg.Pool, key: str, window_start: datetime) -> int:
    """Count one hit in this window; the window's hits so far."""
    return await db.fetchval(COUNT_RATE_LIMIT_HIT, key, window_start)


async def delete_rate_limit_windows(db: asyncpg.Connection | asyncpg.Pool, older_than_seconds: int) -> int:
    """Delete counters of windows that started longer ago than this; how many."""
    status = await db.execute("DELETE FROM rate_limit_hits WHERE window_start < now() - make_interval(secs => $1)",
                              float(older_than_seconds))
    return int(status.split()[-1])
