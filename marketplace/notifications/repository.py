"""Notification SQL: the inbox, the delivery outbox, preferences."""

from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg

# The worker wakes on this channel as soon as a transaction that enqueued something commits.
WAKE_CHANNEL = "notification_outbox"

GET_RECIPIENT = """
SELECT u.id, u.email, u.phone, u.locale, u.is_active, u.phone_verified_at IS NOT NULL AS phone_verified,
       coalesce(p.email, true) AS pref_email, coalesce(p.sms, true) AS pref_sms,
       coalesce(p.zalo, false) AS pref_zalo, coalesce(p.notices, true) AS pref_notices
FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id WHERE u.id = $1
"""
INSERT_NOTIFICATION = """
INSERT INTO notifications (user_id, kind, locale, data, transactional, dedupe_key)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id
"""
INSERT_DELIVERY = """
INSERT INTO notification_deliveries (notification_id, channel, recipient) VALUES ($1, $2, $3) RETURNING id
"""
WAKE = "SELECT pg_notify($1, '')"

# Due rows, or rows whose worker died while sending (its lease ran out): claimed by one worker only.
CLAIM_DUE = """
UPDATE notification_deliveries d
SET state = 'sending', attempts = d.attempts + 1, claim_token = $2, lease_until = $1 + $4::interval
WHERE d.id IN (
    SELECT id FROM notification_deliveries
    WHERE (state = 'pending' AND next_attempt_at <= $1) OR (state = 'sending' AND lease_until < $1)
    ORDER BY next_attempt_at, id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
RETURNING d.id, d.notification_id, d.channel, d.recipient, d.attempts, d.claim_token
"""
GET_NOTIFICATIONS = """
SELECT id, user_id, kind, locale, data, transactional, created_at FROM notifications WHERE id = ANY($1)
"""
MARK_SENT = """
UPDATE notification_deliveries SET state = 'sent', sent_at = $3, lease_until = NULL, last_error = NULL
WHERE id = $1 AND claim_token = $2 AND state = 'sending'
"""
MARK_HELD = """
UPDATE notification_deliveries SET state = 'held', lease_until = NULL, last_error = $3
WHERE id = $1 AND claim_token = $2 AND state = 'sending'
"""
MARK_FAILED = """
UPDATE notification_deliveries
SET state = CASE WHEN attempts >= $3 THEN 'dead' ELSE 'pending' END,
    next_attempt_at = $4, lease_until = NULL, last_error = $5
WHERE id = $1 AND claim_token = $2 AND state = 'sending'
RETURNING state
"""
# Once every delivery of a notification is over, the codes and links it carried are forgotten.
SCRUB_SECRET = """
UPDATE notifications SET data = data - 'secret'
WHERE id = $1 AND NOT EXISTS (
    SELECT 1 FROM notification_deliveries WHERE notification_id = $1 AND state IN ('pending', 'sending'))
"""
LIST_DELIVERIES = """
SELECT d.id, d.notification_id, d.channel, d.recipient, d.state, d.attempts, d.next_attempt_at, d.last_error,
       d.sent_at, d.created_at, n.kind, n.locale, n.data, n.user_id, n.transactional
FROM notification_deliveries d JOIN notifications n ON n.id = d.notification_id
WHERE ($1::text IS NULL OR d.state = $1)
ORDER BY d.id DESC
LIMIT $2
"""
COUNT_BY_STATE = "SELECT state, count(*) FROM notification_deliveries GROUP BY state"
RETRY_DEAD = """
UPDATE notification_deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), last_error = NULL
WHERE id = $1 AND state IN ('dead', 'held') RETURNING id
"""

LIST_INBOX = """
SELECT id, kind, locale, data, created_at, read_at FROM notifications
WHERE user_id = $1 ORDER BY id DESC LIMIT $2
"""
COUNT_UNREAD = "SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
MARK_ALL_READ = "UPDATE notifications SET read_at = now() WHERE user_id = $1 AND read_at IS NULL"

GET_PREFERENCES = """
SELECT coalesce(p.email, true) AS email, coalesce(p.sms, true) AS sms, coalesce(p.zalo, false) AS zalo,
       coalesce(p.notices, true) AS notices
FROM users u LEFT JOIN notification_preferences p ON p.user_id = u.id WHERE u.id = $1
"""
SAVE_PREFERENCES = """
INSERT INTO notification_preferences (user_id, email, sms, zalo, notices) VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (user_id) DO UPDATE SET email = $2, sms = $3, zalo = $4, notices = $5, updated_at = now()
"""
UNSUBSCRIBE_NOTICES = """
INSERT INTO notification_preferences (user_id, notices) VALUES ($1, false)
ON CONFLICT (user_id) DO UPDATE SET notices = false, updated_at = now()
"""
MERCHANT_OWNER = "SELECT owner_user_id, phone, name FROM merchants WHERE id = $1"
ADMIN_IDS = "SELECT id FROM users WHERE 'admin' = ANY (roles) AND is_active ORDER BY id"


async def get_recipient(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_RECIPIENT, user_id)


async def insert_notification(conn: asyncpg.Connection, user_id: int | None, kind: str, locale: str,
                              data: dict[str, Any], transactional: bool, dedupe_key: str | None) -> int | None:
    return await conn.fetchval(INSERT_NOTIFICATION, user_id, kind, locale, data, transactional, dedupe_key)


async def insert_delivery(conn: asyncpg.Connection, notification_id: int, channel: str, recipient: str) -> int:
    return await conn.fetchval(INSERT_DELIVERY, notification_id, channel, recipient)


async def wake_workers(conn: asyncpg.Connection) -> None:
    # NOTIFY is transactional: workers hear it when (and only if) the event's transaction commits.
    await conn.execute(WAKE, WAKE_CHANNEL)


async def claim_due(conn: asyncpg.Connection | asyncpg.Pool, now: datetime, token: UUID, limit: int,
                    lease: Any) -> list[asyncpg.Record]:
    return await conn.fetch(CLAIM_DUE, now, token, limit, lease)


async def get_notifications(conn: asyncpg.Connection | asyncpg.Pool, ids: list[int]) -> dict[int, asyncpg.Record]:
    return {row["id"]: row for row in await conn.fetch(GET_NOTIFICATIONS, ids)}


async def mark_sent(conn: asyncpg.Connection | asyncpg.Pool, delivery_id: int, token: UUID, at: datetime) -> bool:
    return await conn.execute(MARK_SENT, delivery_id, token, at) == "UPDATE 1"


async def mark_held(conn: asyncpg.Connection | asyncpg.Pool, delivery_id: int, token: UUID, reason: str) -> None:
    await conn.execute(MARK_HELD, delivery_id, token, reason)


async def mark_failed(conn: asyncpg.Connection | asyncpg.Pool, delivery_id: int, token: UUID, max_attempts: int,
                      next_attempt_at: datetime, error: str) -> str | None:
    return await conn.fetchval(MARK_FAILED, delivery_id, token, max_attempts, next_attempt_at, error)


async def scrub_secret(conn: asyncpg.Connection | asyncpg.Pool, notification_id: int) -> None:
    await conn.execute(SCRUB_SECRET, notification_id)


async def list_deliveries(conn: asyncpg.Connection, state: str | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(LIST_DELIVERIES, state, limit)


async def count_by_state(conn: asyncpg.Connection) -> dict[str, int]:
    return {row["state"]: row["count"] for row in await conn.fetch(COUNT_BY_STATE)}


async def retry_delivery(conn: asyncpg.Connection, delivery_id: int) -> bool:
    return await conn.fetchval(RETRY_DEAD, delivery_id) is not None


async def list_inbox(conn: asyncpg.Connection, user_id: int, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(LIST_INBOX, user_id, limit)


async def count_unread(conn: asyncpg.Connection, user_id: int) -> int:
    return await conn.fetchval(COUNT_UNREAD, user_id)


async def mark_all_read(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute(MARK_ALL_READ, user_id)


async def get_preferences(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_PREFERENCES, user_id)


async def save_preferences(conn: asyncpg.Connection, user_id: int, email: bool, sms: bool, zalo: bool,
                           notices: bool) -> None:
    await conn.execute(SAVE_PREFERENCES, user_id, email, sms, zalo, notices)


async def unsubscribe_notices(conn: asyncpg.Connection, user_id: int) -> None:
    await conn.execute(UNSUBSCRIBE_NOTICES, user_id)


async def merchant_owner(conn: asyncpg.Connection, merchant_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(MERCHANT_OWNER, merchant_id)


async def admin_ids(conn: asyncpg.Connection) -> list[int]:
    return [row["id"] for row in await conn.fetch(ADMIN_IDS)]
