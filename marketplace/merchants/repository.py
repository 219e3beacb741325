"""SQL for merchants: profiles, onboarding steps, approval, owners; the communes agents serve."""

from typing import Any

import asyncpg
import msgspec

from i18n.confusables import confusable_skeleton
from marketplace.merchants.models import Merchant, ShopPhoto

__all__ = [
    "fill_missing_skeletons",
    "list_look_alikes",
    "name_skeletons",
    "ever_assisted_by",
    "update_texts",
    "insert_merchant",
    "lock_owner_onboarding",
    "count_pending_owned",
    "get_merchant",
    "get_merchant_by_slug",
    "update_location",
    "update_details",
    "set_status",
    "list_merchants",
    "update_logo",
    "update_owner",
    "get_owner_id",
    "get_status",
    "get_agent_commune",
    "list_product_kinds",
    "merchant_from_row",
    "list_shop_photos",
    "count_shop_photos",
    "insert_shop_photo",
    "update_shop_photo_alt",
    "move_shop_photo",
    "delete_shop_photo",
]

# The column list is spelled out in each query so every statement is one constant.
SELECT_BY_ID = """
SELECT m.id, m.slug, m.kind, m.name, m.story, m.province_code, m.commune_code, m.address, m.lat, m.lng,
       m.phone, m.logo, m.ocop_stars, m.ocop_certificate_no, m.ocop_year, m.ocop_expires_on, m.offers_pickup,
       m.delivery_fee, m.status, m.onboarding_step, m.owner_user_id, m.rating_avg::float8 AS rating_avg,
       m.rating_count, m.created_at,
       EXISTS (SELECT 1 FROM merchant_agents a WHERE a.merchant_id = m.id AND a.ended_at IS NULL) AS assisted
FROM merchants m WHERE m.id = $1
"""
SELECT_BY_SLUG = """
SELECT m.id, m.slug, m.kind, m.name, m.story, m.province_code, m.commune_code, m.address, m.lat, m.lng,
       m.phone, m.logo, m.ocop_stars, m.ocop_certificate_no, m.ocop_year, m.ocop_expires_on, m.offers_pickup,
       m.delivery_fee, m.status, m.onboarding_step, m.owner_user_id, m.rating_avg::float8 AS rating_avg,
       m.rating_count, m.created_at,
       EXISTS (SELECT 1 FROM merchant_agents a WHERE a.merchant_id = m.id AND a.ended_at IS NULL) AS assisted
FROM merchants m WHERE m.slug = $1
"""
INSERT = """
INSERT INTO merchants (slug, owner_user_id, kind, name, phone, onboarding_step, name_skeletons)
VALUES ($1, $2, $3, $4, $5, 2, $6) RETURNING id
"""
UPDATE_LOCATION = """
UPDATE merchants SET province_code = $2, commune_code = $3, divisions_version = $4, address = $5, lat = $6,
       lng = $7, onboarding_step = greatest(onboarding_step, 3), updated_at = now()
WHERE id = $1
"""
UPDATE_DETAILS = """
UPDATE merchants SET story = $2, offers_pickup = $3, delivery_fee = $4, ocop_stars = $5,
       ocop_certificate_no = $6, ocop_year = $7, ocop_expires_on = $8, onboarding_step = 4,
       submitted_at = coalesce(submitted_at, now()),
       -- A rejected merchant that changes its details asks for review again.
       status = CASE WHEN status = 'rejected' THEN 'pending' ELSE status END,
       updated_at = now()
WHERE id = $1
"""
SET_STATUS = """
UPDATE merchants SET status = $2, reviewed_by = $3, reviewed_at = now(), review_note = $4, updated_at = now()
WHERE id = $1
"""
UPDATE_LOGO = "UPDATE merchants SET logo = $2, updated_at = now() WHERE id = $1"
UPDATE_TEXTS = """
UPDATE merchants SET name = $2, story = $3, name_skeletons = $4, updated_at = now() WHERE id = $1
"""
SELECT_WITHOUT_SKELETONS = "SELECT id, name FROM merchants WHERE name_skeletons IS NULL ORDER BY id LIMIT $1"
SET_SKELETONS = "UPDATE merchants SET name_skeletons = $2 WHERE id = $1"
# Approved shops whose name, in any language, has the same skeleton as a name of one of these merchants.
SELECT_LOOK_ALIKES = """
SELECT p.id AS merchant_id, a.id, a.slug, a.name
FROM merchants p
JOIN merchants a ON a.status = 'approved' AND a.id <> p.id AND a.name_skeletons && p.name_skeletons
WHERE p.id = ANY($1::bigint[])
ORDER BY p.id, a.id
"""
UPDATE_OWNER = "UPDATE merchants SET owner_user_id = $2, updated_at = now() WHERE id = $1"
SELECT_OWNER_ID = "SELECT owner_user_id FROM merchants WHERE id = $1"
SELECT_STATUS = "SELECT status FROM merchants WHERE id = $1"
SELECT_AGENT_COMMUNE = "SELECT commune_code FROM community_agents WHERE user_id = $1"
# Every product row, drafts and deleted ones too: a change of the merchant re-indexes (or removes) each.
LIST_PRODUCT_KINDS = "SELECT id, kind FROM products WHERE merchant_id = $1"
# Optional filters with typed NULL checks: one plan, no string building.
LIST = """
SELECT m.id, m.slug, m.kind, m.name, m.story, m.province_code, m.commune_code, m.address, m.lat, m.lng,
       m.phone, m.logo, m.ocop_stars, m.ocop_certificate_no, m.ocop_year, m.ocop_expires_on, m.offers_pickup,
       m.delivery_fee, m.status, m.onboarding_step, m.owner_user_id, m.rating_avg::float8 AS rating_avg,
       m.rating_count, m.created_at,
       EXISTS (SELECT 1 FROM merchant_agents a WHERE a.merchant_id = m.id AND a.ended_at IS NULL) AS assisted
FROM merchants m
WHERE ($1::text IS NULL OR m.status = $1)
  AND ($2::int IS NULL OR m.commune_code = $2)
  AND ($3::bigint IS NULL OR m.owner_user_id = $3)
  AND ($4::bigint IS NULL OR EXISTS (SELECT 1 FROM merchant_agents a WHERE a.merchant_id = m.id
                                     AND a.agent_user_id = $4 AND a.ended_at IS NULL))
  AND ($5::boolean IS NULL OR (m.onboarding_step >= 4) = $5)
  AND ($6::bigint IS NULL OR m.id > $6)
ORDER BY m.id LIMIT $7
"""


def merchant_from_row(row: asyncpg.Record) -> Merchant:
    """A row with flat OCOP columns as a Merchant."""
    data: dict[str, Any] = dict(row)
    stars = data.pop("ocop_stars")
    number = data.pop("ocop_certificate_no")
    year = data.pop("ocop_year")
    expires = data.pop("ocop_expires_on")
    data["ocop"] = {"stars": stars, "certificate_no": number, "year": year, "expires_on": expires} if stars else None
    return msgspec.convert(data, Merchant)


async def insert_merchant(
    conn: asyncpg.Connection,
    *,
    slug: str,
    owner_user_id: int | None,
    kind: str,
    name: dict[str, str],
    phone: str,
) -> int:
    """A new pending merchant at onboarding step 2; returns its id."""
    return await conn.fetchval(INSERT, slug, owner_user_id, kind, name, phone, name_skeletons(name))


async def get_merchant(conn: asyncpg.Connection, merchant_id: int) -> Merchant | None:
    """The merchant by id, or None."""
    row = await conn.fetchrow(SELECT_BY_ID, merchant_id)
    return merchant_from_row(row) if row else None


async def get_merchant_by_slug(conn: asyncpg.Connection, slug: str) -> Merchant | None:
    """The merchant by slug, or None."""
    row = await conn.fetchrow(SELECT_BY_SLUG, slug)
    return merchant_from_row(row) if row else None


async def update_location(
    conn: asyncpg.Connection,
    merchant_id: int,
    *,
    province_code: int,
    commune_code: int,
    divisions_version: str,
    address: str,
    lat: float | None,
    lng: float | None,
) -> None:
    """Store commune, address and point; advance onboarding to step 3."""
    await conn.execute(UPDATE_LOCATION, merchant_id, province_code, commune_code, divisions_version, address, lat, lng)


async def update_details(
    conn: asyncpg.Connection,
    merchant_id: int,
    *,
    story: dict[str, str],
    offers_pickup: bool,
    delivery_fee: int | None,
    ocop: Any,
) -> None:
    """Store story, delivery and OCOP; complete onboarding (submitted)."""
    await conn.execute(
        UPDATE_DETAILS,
        merchant_id,
        story,
        offers_pickup,
        delivery_fee,
        ocop.stars if ocop else None,
        ocop.certificate_no if ocop else None,
        ocop.year if ocop else None,
        ocop.expires_on if ocop else None,
    )


async def set_status(conn: asyncpg.Connection, merchant_id: int, status: str, reviewer: int | None, note: str) -> None:
    """Record an approval decision."""
    await conn.execute(SET_STATUS, merchant_id, status, reviewer, note)


async def list_merchants(
    conn: asyncpg.Connection,
    *,
    status: str | None = None,
    commune_code: int | None = None,
    owner_user_id: int | None = None,
    agent_user_id: int | None = None,
    submitted: bool | None = None,
    after_id: int | None = None,
    limit: int = 50,
) -> list[Merchant]:
    """Merchants matching the optional filters, by id."""
    rows = await conn.fetch(LIST, status, commune_code, owner_user_id, agent_user_id, submitted, after_id, limit)
    return [merchant_from_row(row) for row in rows]


async def update_texts(conn: asyncpg.Connection, merchant_id: int, name: dict[str, str], story: dict[str, str]) -> None:
    """Set the shop's name and story in every language at once."""
    await conn.execute(UPDATE_TEXTS, merchant_id, name, story, name_skeletons(name))


def name_skeletons(name: dict[str, str]) -> list[str]:
    """The distinct confusable skeletons of a localized name (one per language that differs)."""
    return sorted({skeleton for text in name.values() if (skeleton := confusable_skeleton(text))})


async def fill_missing_skeletons(conn: asyncpg.Connection, batch: int = 500) -> None:
    """Skeletons for merchants written before they were stored (or by a seed that wrote SQL itself)."""
    while rows := await conn.fetch(SELECT_WITHOUT_SKELETONS, batch):
        await conn.executemany(SET_SKELETONS, [(row["id"], name_skeletons(row["name"] or {})) for row in rows])


async def list_look_alikes(conn: asyncpg.Connection, merchant_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
    """Merchant id -> the approved shops whose name looks like its name (same confusable skeleton)."""
    found: dict[int, list[dict[str, Any]]] = {}
    for row in await conn.fetch(SELECT_LOOK_ALIKES, merchant_ids):
        found.setdefault(row["merchant_id"], []).append({"id": row["id"], "slug": row["slug"], "name": row["name"]})
    return found


async def update_logo(conn: asyncpg.Connection, merchant_id: int, urls: dict[str, str]) -> None:
    """Set the logo's URLs (one per size)."""
    await conn.execute(UPDATE_LOGO, merchant_id, urls)


async def update_owner(conn: asyncpg.Connection, merchant_id: int, owner_user_id: int) -> None:
    """Give the merchant its owner."""
    await conn.execute(UPDATE_OWNER, merchant_id, owner_user_id)


async def get_owner_id(conn: asyncpg.Connection, merchant_id: int) -> int | None:
    """The owner's user id; None when the merchant has no owner (yet) or does not exist."""
    return await conn.fetchval(SELECT_OWNER_ID, merchant_id)


async def get_status(conn: asyncpg.Connection, merchant_id: int) -> str | None:
    """pending, approved, rejected or suspended; None when there is no such merchant."""
    return await conn.fetchval(SELECT_STATUS, merchant_id)


async def get_agent_commune(conn: asyncpg.Connection, user_id: int) -> int | None:
    """The commune a community agent serves, if any."""
    return await conn.fetchval(SELECT_AGENT_COMMUNE, user_id)


async def list_product_kinds(conn: asyncpg.Connection, merchant_id: int) -> list[tuple[int, str]]:
    """(id, kind) of every product row of the merchant."""
    return [(row["id"], row["kind"]) for row in await conn.fetch(LIST_PRODUCT_KINDS, merchant_id)]


LOCK_OWNER_ONBOARDING = "SELECT pg_advisory_xact_lock(hashtext('merchant_onboarding:' || $1::bigint::text))"
COUNT_PENDING_OWNED = "SELECT count(*) FROM merchants WHERE owner_user_id = $1 AND status = 'pending'"


async def lock_owner_onboarding(conn: asyncpg.Connection, user_id: int) -> None:
    """Serialise one person's onboarding starts until the end of the transaction."""
    await conn.execute(LOCK_OWNER_ONBOARDING, user_id)


async def count_pending_owned(conn: asyncpg.Connection, user_id: int) -> int:
    """How many of this person's shops wait for approval."""
    return await conn.fetchval(COUNT_PENDING_OWNED, user_id)


async def ever_assisted_by(conn: asyncpg.Connection, merchant_id: int, user_id: int) -> bool:
    """True when this user registered or assisted the merchant as an agent, even if that assistance ended."""
    return bool(await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM merchant_agents WHERE merchant_id = $1 AND agent_user_id = $2)",
        merchant_id, user_id))


LIST_SHOP_PHOTOS = """
SELECT id, storage_key, urls, sizes, alt FROM merchant_photos WHERE merchant_id = $1 ORDER BY position, id
"""
COUNT_SHOP_PHOTOS = "SELECT count(*) FROM merchant_photos WHERE merchant_id = $1"
INSERT_SHOP_PHOTO = """
INSERT INTO merchant_photos (merchant_id, storage_key, urls, sizes, alt, position)
VALUES ($1, $2, $3, $4, $5, (SELECT coalesce(max(position) + 1, 0) FROM merchant_photos WHERE merchant_id = $1))
RETURNING id, storage_key, urls, sizes, alt
"""
UPDATE_SHOP_PHOTO_ALT = """
UPDATE merchant_photos SET alt = $3 WHERE id = $2 AND merchant_id = $1 RETURNING id, storage_key, urls, sizes, alt
"""
# Positions are renumbered 0..n-1 first, so rows sharing a position still move by exactly one place.
RENUMBER_SHOP_PHOTOS = """
UPDATE merchant_photos AS p SET position = ordered.rank
FROM (SELECT id, row_number() OVER (ORDER BY position, id) - 1 AS rank
      FROM merchant_photos WHERE merchant_id = $1) AS ordered
WHERE p.id = ordered.id
"""
SWAP_SHOP_PHOTO = """
WITH moved AS (SELECT id, position FROM merchant_photos WHERE id = $2 AND merchant_id = $1),
     neighbour AS (SELECT p.id, p.position FROM merchant_photos p, moved
                   WHERE p.merchant_id = $1 AND p.position = moved.position + $3)
UPDATE merchant_photos AS p
SET position = CASE WHEN p.id = moved.id THEN neighbour.position ELSE moved.position END
FROM moved, neighbour WHERE p.id IN (moved.id, neighbour.id)
RETURNING p.id
"""
DELETE_SHOP_PHOTO = "DELETE FROM merchant_photos WHERE id = $2 AND merchant_id = $1 RETURNING storage_key, urls"


async def list_shop_photos(conn: asyncpg.Connection, merchant_id: int) -> list[ShopPhoto]:
    """The shop's photos in gallery order."""
    return [msgspec.convert(dict(row), ShopPhoto) for row in await conn.fetch(LIST_SHOP_PHOTOS, merchant_id)]


async def count_shop_photos(conn: asyncpg.Connection, merchant_id: int) -> int:
    """How many photos the shop has."""
    return int(await conn.fetchval(COUNT_SHOP_PHOTOS, merchant_id))


async def insert_shop_photo(conn: asyncpg.Connection, merchant_id: int, storage_key: str, urls: dict[str, str],
                            sizes: dict[str, tuple[int, int]], alt: dict[str, str]) -> ShopPhoto:
    """Add a photo after the shop's others."""
    row = await conn.fetchrow(INSERT_SHOP_PHOTO, merchant_id, storage_key, urls, sizes, alt)
    return msgspec.convert(dict(row), ShopPhoto)


async def update_shop_photo_alt(conn: asyncpg.Connection, merchant_id: int, photo_id: int,
                                alt: dict[str, str]) -> ShopPhoto | None:
    """Replace a photo's alt text; None when the shop has no such photo."""
    row = await conn.fetchrow(UPDATE_SHOP_PHOTO_ALT, merchant_id, photo_id, alt)
    return None if row is None else msgspec.convert(dict(row), ShopPhoto)


async def move_shop_photo(conn: asyncpg.Connection, merchant_id: int, photo_id: int, step: int) -> bool:
    """Swap the photo with the one before (step -1) or after (+1); False when there is none there."""
    await conn.execute(RENUMBER_SHOP_PHOTOS, merchant_id)
    return bool(await conn.fetch(SWAP_SHOP_PHOTO, merchant_id, photo_id, step))


async def delete_shop_photo(conn: asyncpg.Connection, merchant_id: int, photo_id: int) -> tuple[str, list[str]] | None:
    """Remove a photo; its storage key and size names, or None when the shop has no such photo."""
    row = await conn.fetchrow(DELETE_SHOP_PHOTO, merchant_id, photo_id)
    return None if row is None else (row["storage_key"], list(row["urls"]))
