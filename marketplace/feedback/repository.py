"""SQL of tourists' feedback: the subject it is about, the reports, the inbox filtered by scope, the recipients."""

from typing import Any

import asyncpg

__all__ = [
    "get_attraction_subject",
    "get_shop_subject",
    "insert_feedback",
    "get_tracking",
    "list_inbox",
    "get_for_staff",
    "lock_for_staff",
    "update_assigned",
    "update_resolved",
    "lock_by_token",
    "update_photo",
    "get_official_scope",
    "list_commune_official_ids",
    "list_province_official_ids",
]

GET_ATTRACTION_SUBJECT = """
SELECT id, commune_code, name FROM tourism.attractions WHERE slug = $1 AND status = 'published'
"""
GET_SHOP_SUBJECT = "SELECT id, commune_code, name FROM merchants WHERE slug = $1 AND status = 'approved'"

INSERT_FEEDBACK = """
INSERT INTO feedback (token_hash, category, body, attraction_id, merchant_id, commune_code, place, lat, lng,
                      photo_key, photo_urls, reporter_user_id, reporter_email, locale)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
RETURNING id, status
"""

# One report as staff and reporters read it: what it is about and who took it (a constant, no input).
_REPORT_SELECT = """
SELECT f.id, f.category, f.body, a.slug AS attraction_slug, m.slug AS merchant_slug,
       coalesce(a.name, m.name) AS subject, f.commune_code, f.place, f.lat, f.lng, f.photo_urls, f.status,
       coalesce(nullif(u.display_name, ''), u.email) AS assigned_to_name, f.reply, f.created_at, f.assigned_at,
       f.resolved_at, f.reporter_user_id, f.reporter_email, f.locale
FROM feedback f
LEFT JOIN tourism.attractions a ON a.id = f.attraction_id
LEFT JOIN merchants m ON m.id = f.merchant_id
LEFT JOIN users u ON u.id = f.assigned_to
"""

# What staff and reporters read: the report, what it is about (the attraction's or the shop's name), who took it.
GET_TRACKING = _REPORT_SELECT + """
WHERE f.token_hash = $1
"""

# Staff see a report through one of three grants: $1 every report (admins, the province's officers), $2 one
# commune's (its officials), $3 those about an attraction (editors).
LIST_INBOX = _REPORT_SELECT + """
WHERE ($1::bool OR f.commune_code = $2::int OR ($3::bool AND f.attraction_id IS NOT NULL))
  AND ($4::text IS NULL OR f.status = $4)
ORDER BY (f.status = 'resolved'), f.created_at DESC, f.id DESC
LIMIT $5
"""
GET_FOR_STAFF = _REPORT_SELECT + """
WHERE ($1::bool OR f.commune_code = $2::int OR ($3::bool AND f.attraction_id IS NOT NULL)) AND f.id = $4
"""
LOCK_FOR_STAFF = """
SELECT f.id, f.status FROM feedback f
WHERE ($1::bool OR f.commune_code = $2::int OR ($3::bool AND f.attraction_id IS NOT NULL)) AND f.id = $4
FOR UPDATE
"""

LOCK_BY_TOKEN = "SELECT id, status, photo_key FROM feedback WHERE token_hash = $1 FOR UPDATE"
UPDATE_PHOTO = "UPDATE feedback SET photo_key = $2, photo_urls = $3 WHERE id = $1"

UPDATE_ASSIGNED = """
UPDATE feedback SET status = 'assigned', assigned_to = $2, assigned_at = now() WHERE id = $1
"""
UPDATE_RESOLVED = """
UPDATE feedback SET status = 'resolved', reply = $2, resolved_by = $3, resolved_at = now(),
    assigned_to = coalesce(assigned_to, $3), assigned_at = coalesce(assigned_at, now())
WHERE id = $1
"""

GET_OFFICIAL_SCOPE = "SELECT province_code, commune_code FROM officials WHERE user_id = $1"
LIST_COMMUNE_OFFICIAL_IDS = """
SELECT o.user_id FROM officials o JOIN users u ON u.id = o.user_id
WHERE o.commune_code = $1 AND 'official' = ANY (u.roles) ORDER BY o.user_id
"""
LIST_PROVINCE_OFFICIAL_IDS = """
SELECT o.user_id FROM officials o JOIN users u ON u.id = o.user_id
WHERE o.commune_code IS NULL AND 'official' = ANY (u.roles) ORDER BY o.user_id
"""


async def get_attraction_subject(conn: asyncpg.Connection, slug: str) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_ATTRACTION_SUBJECT, slug)


async def get_shop_subject(conn: asyncpg.Connection, slug: str) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_SHOP_SUBJECT, slug)


async def insert_feedback(conn: asyncpg.Connection, values: dict[str, Any]) -> asyncpg.Record:
    """Insert a report from named values (the columns of INSERT_FEEDBACK, in order)."""
    return await conn.fetchrow(
        INSERT_FEEDBACK, values["token_hash"], values["category"], values["body"], values["attraction_id"],
        values["merchant_id"], values["commune_code"], values["place"], values["lat"], values["lng"],
        values["photo_key"], values["photo_urls"], values["reporter_user_id"], values["reporter_email"],
        values["locale"])


async def get_tracking(conn: asyncpg.Connection, token_hash: bytes) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_TRACKING, token_hash)


async def list_inbox(conn: asyncpg.Connection, everything: bool, commune_code: int | None, attractions: bool,
                     status: str | None, limit: int) -> list[asyncpg.Record]:
    return await conn.fetch(LIST_INBOX, everything, commune_code, attractions, status, limit)


async def get_for_staff(conn: asyncpg.Connection, everything: bool, commune_code: int | None, attractions: bool,
                        feedback_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_FOR_STAFF, everything, commune_code, attractions, feedback_id)


async def lock_for_staff(conn: asyncpg.Connection, everything: bool, commune_code: int | None, attractions: bool,
                         feedback_id: int) -> asyncpg.Record | None:
    """The report's status, locked until the transaction ends, if it is within the scope."""
    return await conn.fetchrow(LOCK_FOR_STAFF, everything, commune_code, attractions, feedback_id)


async def lock_by_token(conn: asyncpg.Connection, token_hash: bytes) -> asyncpg.Record | None:
    """The report behind a token, locked until the transaction ends."""
    return await conn.fetchrow(LOCK_BY_TOKEN, token_hash)


async def update_photo(conn: asyncpg.Connection, feedback_id: int, key: str, urls: dict[str, str]) -> None:
    await conn.execute(UPDATE_PHOTO, feedback_id, key, urls)


async def update_assigned(conn: asyncpg.Connection, feedback_id: int, user_id: int | None) -> None:
    await conn.execute(UPDATE_ASSIGNED, feedback_id, user_id)


async def update_resolved(conn: asyncpg.Connection, feedback_id: int, reply: str, user_id: int | None) -> None:
    await conn.execute(UPDATE_RESOLVED, feedback_id, reply, user_id)


async def get_official_scope(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_OFFICIAL_SCOPE, user_id)


async def list_commune_official_ids(conn: asyncpg.Connection, commune_code: int) -> list[int]:
    return [row["user_id"] for row in await conn.fetch(LIST_COMMUNE_OFFICIAL_IDS, commune_code)]


async def list_province_official_ids(conn: asyncpg.Connection) -> list[int]:
    return [row["user_id"] for row in await conn.fetch(LIST_PROVINCE_OFFICIAL_IDS)]
