"""SQL for reviews, the order a review is about, and the rating averages it changes."""

import asyncpg
import msgspec

from marketplace.reviews.models import Review

__all__ = [
    "get_review",
    "get_order_for_review",
    "get_product_kind",
    "insert_review",
    "update_reply",
    "refresh_ratings",
    "list_product_reviews",
    "list_merchant_reviews",
    "list_order_reviews",
]

SELECT_REVIEW = """
SELECT r.id, r.order_id, r.product_id, r.merchant_id, r.buyer_user_id, coalesce(u.display_name, '') AS buyer_name,
       r.rating, r.body, r.reply, r.replied_at, r.created_at
FROM reviews r LEFT JOIN users u ON u.id = r.buyer_user_id
WHERE r.id = $1
"""
LIST_FOR_PRODUCT = """
SELECT r.id, r.order_id, r.product_id, r.merchant_id, r.buyer_user_id, coalesce(u.display_name, '') AS buyer_name,
       r.rating, r.body, r.reply, r.replied_at, r.created_at
FROM reviews r LEFT JOIN users u ON u.id = r.buyer_user_id
WHERE r.product_id = $1 AND ($2::bigint IS NULL OR r.id < $2) ORDER BY r.id DESC LIMIT $3
"""
LIST_FOR_MERCHANT = """
SELECT r.id, r.order_id, r.product_id, r.merchant_id, r.buyer_user_id, coalesce(u.display_name, '') AS buyer_name,
       r.rating, r.body, r.reply, r.replied_at, r.created_at
FROM reviews r LEFT JOIN users u ON u.id = r.buyer_user_id
WHERE r.merchant_id = $1 AND ($2::bigint IS NULL OR r.id < $2) ORDER BY r.id DESC LIMIT $3
"""
LIST_FOR_ORDER = """
SELECT r.id, r.order_id, r.product_id, r.merchant_id, r.buyer_user_id, coalesce(u.display_name, '') AS buyer_name,
       r.rating, r.body, r.reply, r.replied_at, r.created_at
FROM reviews r LEFT JOIN users u ON u.id = r.buyer_user_id
WHERE r.order_id = $1 ORDER BY r.id
"""
SELECT_ORDER_FOR_REVIEW = """
SELECT o.status, o.buyer_user_id, o.merchant_id,
       EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.product_id = $2) AS has_product
FROM orders o WHERE o.id = $1
"""
SELECT_PRODUCT_KIND = "SELECT kind FROM products WHERE id = $1"
INSERT_REVIEW = """
INSERT INTO reviews (order_id, product_id, merchant_id, buyer_user_id, rating, body)
VALUES ($1, $2, $3, $4, $5, $6) RETURNING id
"""
# Only a review without a reply gets one: a second reply updates nothing and returns no row.
UPDATE_REPLY = """
UPDATE reviews SET reply = $2, replied_by = $3, replied_at = now() WHERE id = $1 AND reply IS NULL RETURNING id
"""
# The averages are recomputed from the rows (not incremented) so they can never drift.
REFRESH_PRODUCT = """
UPDATE products p SET rating_avg = s.avg, rating_count = s.count
FROM (SELECT avg(rating)::numeric(3, 2) AS avg, count(*)::int AS count FROM reviews WHERE product_id = $1) s
WHERE p.id = $1
"""
REFRESH_MERCHANT = """
UPDATE merchants m SET rating_avg = s.avg, rating_count = s.count
FROM (SELECT avg(rating)::numeric(3, 2) AS avg, count(*)::int AS count FROM reviews WHERE merchant_id = $1) s
WHERE m.id = $1
"""


def _reviews(rows: list[asyncpg.Record]) -> list[Review]:
    return [msgspec.convert(dict(row), Review) for row in rows]


async def get_review(conn: asyncpg.Connection, review_id: int) -> Review | None:
    """One review with its buyer's name, or None."""
    row = await conn.fetchrow(SELECT_REVIEW, review_id)
    return msgspec.convert(dict(row), Review) if row else None


async def get_order_for_review(conn: asyncpg.Connection, order_id: int, product_id: int) -> asyncpg.Record | None:
    """The order's status, buyer and merchant, and whether it has the product; None when there is no order."""
    return await conn.fetchrow(SELECT_ORDER_FOR_REVIEW, order_id, product_id)


async def get_product_kind(conn: asyncpg.Connection, product_id: int) -> str | None:
    """goods or experience."""
    return await conn.fetchval(SELECT_PRODUCT_KIND, product_id)


async def insert_review(conn: asyncpg.Connection, *, order_id: int, product_id: int, merchant_id: int,
                        buyer_user_id: int, rating: int, body: str) -> int:
    """A new review; raises UniqueViolationError when the buyer reviewed this product of this order already."""
    return await conn.fetchval(INSERT_REVIEW, order_id, product_id, merchant_id, buyer_user_id, rating, body)


async def update_reply(conn: asyncpg.Connection, review_id: int, reply: str, replied_by: int | None) -> bool:
    """Record the merchant's reply; False when the review already had one."""
    return await conn.fetchval(UPDATE_REPLY, review_id, reply, replied_by) is not None


async def refresh_ratings(conn: asyncpg.Connection, product_id: int, merchant_id: int) -> None:
    """Recompute the product's and the merchant's average rating and count."""
    await conn.execute(REFRESH_PRODUCT, product_id)
    await conn.execute(REFRESH_MERCHANT, merchant_id)


async def list_product_reviews(conn: asyncpg.Connection, product_id: int, before_id: int | None,
                               limit: int) -> list[Review]:
    """A product's reviews, newest first, before a cursor."""
    return _reviews(await conn.fetch(LIST_FOR_PRODUCT, product_id, before_id, limit))


async def list_merchant_reviews(conn: asyncpg.Connection, merchant_id: int, before_id: int | None,
                                limit: int) -> list[Review]:
    """A merchant's reviews, newest first, before a cursor."""
    return _reviews(await conn.fetch(LIST_FOR_MERCHANT, merchant_id, before_id, limit))


async def list_order_reviews(conn: asyncpg.Connection, order_id: int) -> list[Review]:
    """The reviews of one order, oldest first."""
    return _reviews(await conn.fetch(LIST_FOR_ORDER, order_id))
