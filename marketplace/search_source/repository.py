"""The rows behind the marketplace's search documents: public products, experiences and merchants."""

from collections.abc import Sequence

import asyncpg

__all__ = ["list_public_products", "list_public_merchants"]

# An expired OCOP certificate is no longer a badge nor a filter value.
# Public means: published, not deleted, and the merchant approved. Anything else is left out (= deleted).
PRODUCTS = """
SELECT p.id, p.kind, p.slug, p.name, p.description, p.category_slug, p.merchant_id, p.updated_at,
       p.rating_avg::float8 AS rating, m.name AS merchant_name, m.commune_code, m.lat, m.lng,
       CASE WHEN m.ocop_expires_on IS NULL OR m.ocop_expires_on >= current_date THEN m.ocop_stars END AS ocop_stars,
       (SELECT min(v.price) FROM product_variants v WHERE v.product_id = p.id AND v.deleted_at IS NULL) AS price_min,
       (SELECT max(v.price) FROM product_variants v WHERE v.product_id = p.id AND v.deleted_at IS NULL) AS price_max,
       EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.deleted_at IS NULL AND v.stock > 0
               AND (v.starts_at IS NULL OR v.starts_at > now())) AS available,
       (SELECT count(*) FROM order_items i WHERE i.product_id = p.id)::int AS popularity,
       (SELECT i.urls ->> 'medium' FROM product_images i WHERE i.product_id = p.id
        ORDER BY i.position, i.id LIMIT 1) AS image_url
FROM products p JOIN merchants m ON m.id = p.merchant_id
WHERE p.status = 'published' AND p.deleted_at IS NULL AND m.status = 'approved'
  AND ($1::bigint[] IS NULL OR p.id = ANY ($1))
ORDER BY p.id
"""
MERCHANTS = """
SELECT m.id, m.slug, m.name, m.story, m.kind, m.commune_code, m.lat, m.lng, m.updated_at,
       CASE WHEN m.ocop_expires_on IS NULL OR m.ocop_expires_on >= current_date THEN m.ocop_stars END AS ocop_stars,
       m.rating_avg::float8 AS rating,
       -- The gallery's first photo is the shop's picture; the logo until there is one.
       coalesce((SELECT ph.urls ->> 'medium' FROM merchant_photos ph WHERE ph.merchant_id = m.id
                 ORDER BY ph.position, ph.id LIMIT 1), m.logo ->> 'medium') AS image_url,
       (SELECT count(*) FROM orders o WHERE o.merchant_id = m.id)::int AS popularity
FROM merchants m
WHERE m.status = 'approved' AND ($1::bigint[] IS NULL OR m.id = ANY ($1))
ORDER BY m.id
"""


async def list_public_products(conn: asyncpg.Connection, ids: Sequence[int] | None) -> list[asyncpg.Record]:
    """Public products and experiences with what search shows of them; every one when `ids` is None."""
    return await conn.fetch(PRODUCTS, ids)


async def list_public_merchants(conn: asyncpg.Connection, ids: Sequence[int] | None) -> list[asyncpg.Record]:
    """Approved merchants with what search shows of them; every one when `ids` is None."""
    return await conn.fetch(MERCHANTS, ids)
