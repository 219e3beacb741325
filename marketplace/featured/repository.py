"""SQL for the featured lists: editors' picks and the ranking behind the home page; nothing else lives here."""

from datetime import datetime

import asyncpg
import msgspec

from marketplace.featured.models import FeaturedPick

__all__ = [
    "list_featured_attraction_ids",
    "list_featured_product_ids",
    "list_picks",
    "get_public_attraction_id",
    "get_public_product_id",
    "upsert_attraction_pick",
    "upsert_product_pick",
    "update_pick_position",
    "delete_pick",
]

# Picks first by position (then the earlier choice), then activity since $1 (poster scans on site and saves
# into trips: what visitors did, as no page view is recorded), then the name in the visitor's language.
RANK_ATTRACTIONS = """
WITH scans AS (
    SELECT attraction_id, sum(scans) AS n FROM tourism.poster_scans
    WHERE day >= ($1::timestamptz AT TIME ZONE 'Asia/Ho_Chi_Minh')::date GROUP BY attraction_id
), saves AS (
    SELECT document_id, count(*) AS n FROM tourism.trip_stops
    WHERE added_at >= $1 AND document_id LIKE 'attraction:%' GROUP BY document_id
)
SELECT 'attraction:' || a.slug AS document_id
FROM tourism.attractions a
LEFT JOIN featured_listings f ON f.attraction_id = a.id
LEFT JOIN scans ON scans.attraction_id = a.id
LEFT JOIN saves ON saves.document_id = 'attraction:' || a.slug
WHERE a.status = 'published'
ORDER BY f.position NULLS LAST, f.chosen_at, coalesce(scans.n, 0) + coalesce(saves.n, 0) DESC,
         coalesce(a.name ->> $2, a.name ->> 'en', a.name ->> 'vi'), a.slug
LIMIT $3
"""
# Products and experiences can be 100k rows: one query sorting them all by a name in the visitor's language took
# 200 ms, so the list is built from three short ones. Public means what search shows: published, not deleted, shop
# approved. A document id is "experience:<id>" or "product:<id>".
PICKED_PRODUCTS = """
SELECT CASE WHEN p.kind = 'experience' THEN 'experience:' ELSE 'product:' END || p.id AS document_id
FROM featured_listings f JOIN products p ON p.id = f.product_id JOIN merchants m ON m.id = p.merchant_id
WHERE p.status = 'published' AND p.deleted_at IS NULL AND m.status = 'approved'
ORDER BY f.position, f.chosen_at LIMIT $1
"""
# Orders that went through (confirmed or later, not cancelled or refunded) and reviews written since $1.
ACTIVE_PRODUCTS = """
WITH bought AS (
    SELECT i.product_id, count(DISTINCT i.order_id) AS n
    FROM orders o JOIN order_items i ON i.order_id = o.id
    WHERE o.created_at >= $1 AND o.status IN ('confirmed', 'shipped', 'delivered', 'completed')
    GROUP BY i.product_id
), rated AS (
    SELECT product_id, count(*) AS n FROM reviews WHERE created_at >= $1 GROUP BY product_id
), activity AS (
    SELECT product_id, sum(n) AS n FROM (SELECT * FROM bought UNION ALL SELECT * FROM rated) a GROUP BY product_id
)
SELECT CASE WHEN p.kind = 'experience' THEN 'experience:' ELSE 'product:' END || p.id AS document_id
FROM activity JOIN products p ON p.id = activity.product_id JOIN merchants m ON m.id = p.merchant_id
WHERE p.status = 'published' AND p.deleted_at IS NULL AND m.status = 'approved'
ORDER BY activity.n DESC, coalesce(p.name ->> $2, p.name ->> 'en', p.name ->> 'vi'), p.id
LIMIT $3
"""
# The rest by their Vietnamese name (every listing has one), read in the order of products_public_name_idx.
NAMED_PRODUCTS = """
SELECT CASE WHEN p.kind = 'experience' THEN 'experience:' ELSE 'product:' END || p.id AS document_id
FROM products p JOIN merchants m ON m.id = p.merchant_id
WHERE p.status = 'published' AND p.deleted_at IS NULL AND m.status = 'approved'
ORDER BY p.name ->> 'vi', p.id LIMIT $1
"""
LIST_PICKS = """
SELECT f.id, 'attractions' AS "group", 'attraction:' || a.slug AS document_id, a.name, a.slug, f.position,
       f.chosen_at
FROM featured_listings f JOIN tourism.attractions a ON a.id = f.attraction_id
UNION ALL
SELECT f.id, 'products', CASE WHEN p.kind = 'experience' THEN 'experience:' ELSE 'product:' END || p.id, p.name,
       p.slug, f.position, f.chosen_at
FROM featured_listings f JOIN products p ON p.id = f.product_id
ORDER BY 2, 6, 7
"""
PUBLIC_ATTRACTION = "SELECT id FROM tourism.attractions WHERE slug = $1 AND status = 'published'"
PUBLIC_PRODUCT = """
SELECT p.id FROM products p JOIN merchants m ON m.id = p.merchant_id
WHERE p.slug = $1 AND p.status = 'published' AND p.deleted_at IS NULL AND m.status = 'approved'
"""
UPSERT_ATTRACTION = """
INSERT INTO featured_listings (attraction_id, position, chosen_by) VALUES ($1, $2, $3)
ON CONFLICT (attraction_id) DO UPDATE SET position = EXCLUDED.position, chosen_by = EXCLUDED.chosen_by,
    chosen_at = now()
"""
UPSERT_PRODUCT = """
INSERT INTO featured_listings (product_id, position, chosen_by) VALUES ($1, $2, $3)
ON CONFLICT (product_id) DO UPDATE SET position = EXCLUDED.position, chosen_by = EXCLUDED.chosen_by,
    chosen_at = now()
"""
UPDATE_POSITION = "UPDATE featured_listings SET position = $2, chosen_by = $3 WHERE id = $1 RETURNING id"
DELETE_PICK = "DELETE FROM featured_listings WHERE id = $1 RETURNING id"


async def list_featured_attraction_ids(
    connection: asyncpg.Connection, since: datetime, locale: str, limit: int
) -> list[str]:
    """Document ids of the published attractions to feature, best first."""
    return [row["document_id"] for row in await connection.fetch(RANK_ATTRACTIONS, since, locale, limit)]


async def list_featured_product_ids(
    connection: asyncpg.Connection, since: datetime, locale: str, limit: int
) -> list[str]:
    """Document ids of the public products and experiences to feature, best first: editors' picks, then the most
    bought and reviewed since `since`, then by name."""
    ranked: list[str] = [row["document_id"] for row in await connection.fetch(PICKED_PRODUCTS, limit)]
    ranked += [row["document_id"] for row in await connection.fetch(ACTIVE_PRODUCTS, since, locale, limit)]
    ranked += [row["document_id"] for row in await connection.fetch(NAMED_PRODUCTS, 3 * limit)]
    return list(dict.fromkeys(ranked))[:limit]


async def list_picks(connection: asyncpg.Connection) -> list[FeaturedPick]:
    """Every editors' pick, attractions then products, each in position order."""
    return [msgspec.convert(dict(row), FeaturedPick) for row in await connection.fetch(LIST_PICKS)]


async def get_public_attraction_id(connection: asyncpg.Connection, slug: str) -> int | None:
    """The id of the published attraction with this slug."""
    return await connection.fetchval(PUBLIC_ATTRACTION, slug)


async def get_public_product_id(connection: asyncpg.Connection, slug: str) -> int | None:
    """The id of the public product or experience with this slug."""
    return await connection.fetchval(PUBLIC_PRODUCT, slug)


async def upsert_attraction_pick(connection: asyncpg.Connection, attraction_id: int, position: int,
                                 user_id: int | None) -> None:
    """Feature an attraction at a position (a second pick moves it)."""
    await connection.execute(UPSERT_ATTRACTION, attraction_id, position, user_id)


async def upsert_product_pick(connection: asyncpg.Connection, product_id: int, position: int,
                              user_id: int | None) -> None:
    """Feature a product or experience at a position (a second pick moves it)."""
    await connection.execute(UPSERT_PRODUCT, product_id, position, user_id)


async def update_pick_position(connection: asyncpg.Connection, pick_id: int, position: int,
                               user_id: int | None) -> bool:
    """Move a pick; False when there is no such pick."""
    return await connection.fetchval(UPDATE_POSITION, pick_id, position, user_id) is not None


async def delete_pick(connection: asyncpg.Connection, pick_id: int) -> bool:
    """Take a listing off the picks; False when there is no such pick."""
    return await connection.fetchval(DELETE_PICK, pick_id) is not None
