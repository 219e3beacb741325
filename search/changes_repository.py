"""SQL of the change log (`change_events`): recording, sequencing and reading events.

The JSON goes in and out as text, so these work on connections with or without a jsonb codec.
"""

from typing import Any

import asyncpg

__all__ = [
    "NOTIFY_CHANNEL",
    "insert_change_event",
    "try_lock_sequencer",
    "sequence_pending",
    "list_after",
    "get_last_position",
    "get_unsequenced_lag",
]

NOTIFY_CHANNEL = "change_events"

INSERT_SQL = "INSERT INTO change_events (event_type, data) VALUES ($1, $2::text::jsonb) RETURNING id"
NOTIFY_SQL = "SELECT pg_notify($1, '')"
# One sequencer at a time, across processes; held until its transaction ends, so the next one sees its positions.
LOCK_SQL = "SELECT pg_try_advisory_xact_lock(hashtextextended('change_events:sequencer', 0))"
SEQUENCE_SQL = """
WITH waiting AS (
    SELECT id, row_number() OVER (ORDER BY id) AS n
    FROM (SELECT id FROM change_events WHERE position IS NULL ORDER BY id LIMIT $1 FOR UPDATE) AS due
), base AS (
    SELECT coalesce(max(position), 0) AS last FROM change_events
)
UPDATE change_events c SET position = base.last + waiting.n
FROM waiting, base
WHERE c.id = waiting.id
RETURNING c.id, c.position, c.event_type, c.data::text AS data, c.occurred_at
"""
LIST_AFTER_SQL = """
SELECT id, position, event_type, data::text AS data, occurred_at FROM change_events
WHERE position > $1 ORDER BY position LIMIT $2
"""
LAST_POSITION_SQL = "SELECT coalesce(max(position), 0) FROM change_events"
UNSEQUENCED_LAG_SQL = """
SELECT count(*) AS pending, coalesce(extract(epoch FROM now() - min(occurred_at)), 0)::float8 AS oldest_seconds
FROM change_events WHERE position IS NULL
"""


async def insert_change_event(connection: asyncpg.Connection, event_type: str, data_json: str) -> int:
    """Store the event and wake the readers (NOTIFY is delivered only if the transaction commits)."""
    event_id = await connection.fetchval(INSERT_SQL, event_type, data_json)
    await connection.execute(NOTIFY_SQL, NOTIFY_CHANNEL)
    return event_id


async def try_lock_sequencer(connection: asyncpg.Connection) -> bool:
    """Whether this transaction may sequence now (another one holds the lock otherwise)."""
    return await connection.fetchval(LOCK_SQL)


async def sequence_pending(connection: asyncpg.Connection, limit: int) -> list[asyncpg.Record]:
    """Give the next positions to up to `limit` committed events without one, in id order; the rows, ordered."""
    rows = await connection.fetch(SEQUENCE_SQL, limit)
    return sorted(rows, key=lambda row: row["position"])


async def list_after(connection: asyncpg.Connection, after: int, limit: int) -> list[asyncpg.Record]:
    """Sequenced events after a position, in order."""
    return await connection.fetch(LIST_AFTER_SQL, after, limit)


async def get_last_position(connection: asyncpg.Connection | Any) -> int:
    """The highest position given so far (0 when none)."""
    return await connection.fetchval(LAST_POSITION_SQL)


async def get_unsequenced_lag(connection: asyncpg.Connection) -> tuple[int, float]:
    """Events committed but not yet given a position, and the age of the oldest (0 when none)."""
    row = await connection.fetchrow(UNSEQUENCED_LAG_SQL)
    return row["pending"], row["oldest_seconds"]
