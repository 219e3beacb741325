"""Webhook SQL: endpoints, the delivery outbox and its attempts log."""

from datetime import datetime, timedelta
from uuid import UUID

import asyncpg

__all__ = [
    "WAKE_CHANNEL",
    "insert_endpoint",
    "list_endpoints",
    "get_endpoint",
    "set_endpoint_active",
    "delete_endpoint",
    "insert_deliveries",
    "claim_due",
    "insert_attempt",
    "mark_delivered",
    "mark_failed",
    "list_deliveries",
    "list_attempts",
    "resend_delivery",
    "wake_workers",
    "get_outbox_lag",
]

# Wakes the worker when an admin asks for a delivery again (new events wake it on the change log's channel).
WAKE_CHANNEL = "webhook_outbox"

INSERT_ENDPOINT = """
INSERT INTO webhook_endpoints AS e (url, description, event_types, secret_sealed, secret_hint, created_by)
VALUES ($1, $2, $3, $4, $5, $6)
RETURNING e.id, e.url, e.description, e.event_types, e.secret_hint, e.is_active, e.created_at
"""
LIST_ENDPOINTS = """
SELECT e.id, e.url, e.description, e.event_types, e.secret_hint, e.is_active, e.created_at,
       count(d.id) FILTER (WHERE d.state IN ('pending', 'sending'))::int AS pending,
       count(d.id) FILTER (WHERE d.state = 'failed')::int AS failed
FROM webhook_endpoints e LEFT JOIN webhook_deliveries d ON d.endpoint_id = e.id
GROUP BY e.id ORDER BY e.id
"""
GET_ENDPOINT = """
SELECT e.id, e.url, e.description, e.event_types, e.secret_hint, e.is_active, e.created_at
FROM webhook_endpoints e WHERE e.id = $1
"""
SET_ACTIVE = "UPDATE webhook_endpoints SET is_active = $2 WHERE id = $1 RETURNING id"
DELETE_ENDPOINT = "DELETE FROM webhook_endpoints WHERE id = $1 RETURNING id"

# One delivery per (event, subscribed endpoint), inserted in the events' order so ids follow positions.
INSERT_DELIVERIES = """
INSERT INTO webhook_deliveries (endpoint_id, event_id, next_attempt_at, created_at)
SELECT e.id, ev.event_id, $3, $3
FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS ev (event_id, event_type, n)
JOIN webhook_endpoints e ON e.is_active AND ev.event_type = ANY (e.event_types)
ORDER BY ev.n, e.id
"""
# Only the oldest unfinished delivery of each endpoint may go out: an endpoint never gets an event before the
# earlier ones were delivered or given up. The state test is on `w` itself, so a row another worker claimed
# meanwhile is re-checked on its new version and left alone; SKIP LOCKED passes over rows being claimed.
CLAIM_DUE = """
UPDATE webhook_deliveries d
SET state = 'sending', attempts = d.attempts + 1, claim_token = $2, lease_until = $1 + $4::interval
WHERE d.id IN (
    SELECT w.id FROM webhook_deliveries w
    JOIN webhook_endpoints e ON e.id = w.endpoint_id AND e.is_active
    WHERE ((w.state = 'pending' AND w.next_attempt_at <= $1) OR (w.state = 'sending' AND w.lease_until < $1))
      AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries older
          WHERE older.endpoint_id = w.endpoint_id AND older.state IN ('pending', 'sending') AND older.id < w.id)
    ORDER BY w.next_attempt_at, w.id
    LIMIT $3
    FOR UPDATE OF w SKIP LOCKED
)
RETURNING d.id, d.endpoint_id, d.event_id, d.attempts, d.created_at, d.claim_token,
          (SELECT url FROM webhook_endpoints WHERE id = d.endpoint_id) AS url,
          (SELECT secret_sealed FROM webhook_endpoints WHERE id = d.endpoint_id) AS secret_sealed,
          (SELECT event_type FROM change_events WHERE id = d.event_id) AS event_type,
          (SELECT data::text FROM change_events WHERE id = d.event_id) AS data,
          (SELECT occurred_at FROM change_events WHERE id = d.event_id) AS occurred_at
"""
INSERT_ATTEMPT = """
INSERT INTO webhook_attempts (delivery_id, attempted_at, response_status, response_excerpt) VALUES ($1, $2, $3, $4)
"""
MARK_DELIVERED = """
UPDATE webhook_deliveries
SET state = 'delivered', finished_at = $3, lease_until = NULL, last_status = $4, last_error = NULL
WHERE id = $1 AND claim_token = $2 AND state = 'sending'
"""
# $3 NULL: no try is left (24 hours have passed), the delivery is given up.
MARK_FAILED = """
UPDATE webhook_deliveries
SET state = CASE WHEN $3::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
    next_attempt_at = coalesce($3, next_attempt_at),
    finished_at = CASE WHEN $3::timestamptz IS NULL THEN $6::timestamptz END,
    lease_until = NULL, last_status = $4, last_error = $5
WHERE id = $1 AND claim_token = $2 AND state = 'sending'
RETURNING state
"""
LIST_DELIVERIES = """
SELECT d.id, d.endpoint_id, d.event_id, c.event_type, c.position, d.state, d.attempts, d.next_attempt_at,
       d.created_at, d.last_status, d.last_error, d.finished_at, d.resend_of
FROM webhook_deliveries d JOIN change_events c ON c.id = d.event_id
WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.state = $2)
ORDER BY d.id DESC
LIMIT $3
"""
LIST_ATTEMPTS = """
SELECT delivery_id, attempted_at, response_status, response_excerpt FROM webhook_attempts
WHERE delivery_id = ANY ($1::bigint[]) ORDER BY id
"""
# A copy queued behind whatever this endpoint still has to send: "send again" never jumps the order.
RESEND = """
INSERT INTO webhook_deliveries (endpoint_id, event_id, next_attempt_at, created_at, resend_of)
SELECT endpoint_id, event_id, $2, $2, id FROM webhook_deliveries
WHERE id = $1 AND state IN ('delivered', 'failed')
RETURNING id, endpoint_id
"""
WAKE = "SELECT pg_notify($1, '')"
# Due deliveries of endpoints that are on (a paused endpoint's queue is waiting on purpose).
OUTBOX_LAG = """
SELECT count(*) AS pending, coalesce(extract(epoch FROM now() - min(d.next_attempt_at)), 0)::float8 AS oldest_seconds
FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.is_active
WHERE d.state IN ('pending', 'sending') AND d.next_attempt_at <= now()
"""


async def insert_endpoint(conn: asyncpg.Connection, url: str, description: str, event_types: list[str],
                          secret_sealed: bytes, secret_hint: str, created_by: int | None) -> asyncpg.Record:
    return await conn.fetchrow(INSERT_ENDPOINT, url, description, event_types, secret_sealed, secret_hint,
                               created_by)


async def list_endpoints(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(LIST_ENDPOINTS)


async def get_endpoint(conn: asyncpg.Connection, endpoint_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_ENDPOINT, endpoint_id)


async def set_endpoint_active(conn: asyncpg.Connection, endpoint_id: int, active: bool) -> bool:
    return await conn.fetchval(SET_ACTIVE, endpoint_id, active) is not None


async def delete_endpoint(conn: asyncpg.Connection, endpoint_id: int) -> bool:
    return await conn.fetchval(DELETE_ENDPOINT, endpoint_id) is not None


async def insert_deliveries(conn: asyncpg.Connection, event_ids: list[int], event_types: list[str],
                            now: datetime) -> None:
    await conn.execute(INSERT_DELIVERIES, event_ids, event_types, now)


async def claim_due(conn: asyncpg.Connection | asyncpg.Pool, now: datetime, token: UUID, limit: int,
                    lease: timedelta) -> list[asyncpg.Record]:
    return await conn.fetch(CLAIM_DUE, now, token, limit, lease)


async def insert_attempt(conn: asyncpg.Connection | asyncpg.Pool, delivery_id: int, at: datetime,
                         status: int | None, excerpt: str) -> None:
    await conn.execute(INSERT_ATTEMPT, delivery_id, at, status, excerpt)


async def mark_delivered(conn: asyncpg.Connection | asyncpg.Pool, delivery_id: int, token: UUID, at: datetime,
                         status: int) -> bool:
    return await conn.execute(MARK_DELIVERED, delivery_id, token, at, status) == "UPDATE 1"


async def mark_failed(conn: asyncpg.Connection | asyncpg.Pool, delivery_id: int, token: UUID,
                      next_attempt_at: datetime | None, status: int | None, error: str,
                      at: datetime) -> str | None:
    return await conn.fetchval(MARK_FAILED, delivery_id, token, next_attempt_at, status, error, at)


async def list_deliveries(conn: asyncpg.Connection, endpoint_id: int, state: str | None,
                          limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(LIST_DELIVERIES, endpoint_id, state, limit)


async def list_attempts(conn: asyncpg.Connection, delivery_ids: list[int]) -> list[asyncpg.Record]:
    return await conn.fetch(LIST_ATTEMPTS, delivery_ids)


async def resend_delivery(conn: asyncpg.Connection, delivery_id: int, now: datetime) -> asyncpg.Record | None:
    return await conn.fetchrow(RESEND, delivery_id, now)


async def wake_workers(conn: asyncpg.Connection) -> None:
    # NOTIFY is transactional: the worker hears it when the admin's transaction commits.
    await conn.execute(WAKE, WAKE_CHANNEL)


async def get_outbox_lag(conn: asyncpg.Connection) -> tuple[int, float]:
    """Deliveries due and not yet sent, and how long the oldest of them has been due (0 when none)."""
    row = await conn.fetchrow(OUTBOX_LAG)
    return row["pending"], row["oldest_seconds"]
