"""Review rules: only the buyer of a delivered order, once per product; one merchant reply; live averages."""

import asyncpg
import msgspec

from marketplace.catalog.service import document_id
from marketplace.platform.access import Actor, merchant_access, require_user
from marketplace.platform.audit import record_if_agent
from marketplace.platform.errors import Conflict, Forbidden, NotFound
from marketplace.reviews.models import ReplyCreate, Review, ReviewCreate
from search.outbox import enqueue

__all__ = [
    "create_review",
    "reply_to_review",
    "list_product_reviews",
    "list_merchant_reviews",
    "list_order_reviews",
    "REVIEWABLE_STATUSES",
]

# Delivered, and what can follow it (a completed order was delivered first; refunded is excluded).
REVIEWABLE_STATUSES = ("delivered", "completed")

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


async def _get(conn: asyncpg.Connection, review_id: int) -> Review:
    row = await conn.fetchrow(SELECT_REVIEW, review_id)
    if row is None:
        raise NotFound("No such review.", code="review_not_found")
    return msgspec.convert(dict(row), Review)


async def create_review(conn: asyncpg.Connection, actor: Actor | None, data: ReviewCreate) -> Review:
    """The buyer reviews a product of one of their delivered orders."""
    user_id = require_user(actor)
    order = await conn.fetchrow(
        """SELECT o.status, o.buyer_user_id, o.merchant_id,
                  EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id AND i.product_id = $2) AS has_product
           FROM orders o WHERE o.id = $1""",
        data.order_id,
        data.product_id,
    )
    if order is None or order["buyer_user_id"] != user_id:
        raise NotFound("No such order.", code="order_not_found")
    if not order["has_product"]:
        raise Forbidden("This product is not in that order.", code="product_not_in_order")
    if order["status"] not in REVIEWABLE_STATUSES:
        raise Forbidden("You can review once the order has been delivered.", code="order_not_delivered")
    kind = await conn.fetchval("SELECT kind FROM products WHERE id = $1", data.product_id)
    try:
        async with conn.transaction():
            review_id = await conn.fetchval(
                """INSERT INTO reviews (order_id, product_id, merchant_id, buyer_user_id, rating, body)
                   VALUES ($1, $2, $3, $4, $5, $6) RETURNING id""",
                data.order_id,
                data.product_id,
                order["merchant_id"],
                user_id,
                data.rating,
                data.body.strip(),
            )
    except asyncpg.UniqueViolationError:
        raise Conflict("You have already reviewed this product for this order.", code="already_reviewed") from None
    await conn.execute(REFRESH_PRODUCT, data.product_id)
    await conn.execute(REFRESH_MERCHANT, order["merchant_id"])
    await enqueue(conn, [document_id(kind, data.product_id), f"merchant:{order['merchant_id']}"])
    return await _get(conn, review_id)


async def reply_to_review(conn: asyncpg.Connection, actor: Actor | None, review_id: int, data: ReplyCreate) -> Review:
    """The merchant (or its agent) replies, once."""
    review = await _get(conn, review_id)
    access = await merchant_access(conn, actor, review.merchant_id)
    updated = await conn.fetchval(
        "UPDATE reviews SET reply = $2, replied_by = $3, replied_at = now() "
        "WHERE id = $1 AND reply IS NULL RETURNING id",
        review_id,
        data.reply.strip(),
        access.user_id,
    )
    if updated is None:
        raise Conflict("This review already has a reply.", code="already_replied")
    await record_if_agent(conn, access, "review.reply", {"review_id": review_id})
    return await _get(conn, review_id)


async def list_product_reviews(
    conn: asyncpg.Connection, product_id: int, *, before_id: int | None = None, limit: int = 20
) -> list[Review]:
    """A product's reviews, newest first."""
    rows = await conn.fetch(LIST_FOR_PRODUCT, product_id, before_id, limit)
    return [msgspec.convert(dict(row), Review) for row in rows]


async def list_order_reviews(conn: asyncpg.Connection, order_id: int) -> list[Review]:
    """The reviews written for one order (shown on its page)."""
    rows = await conn.fetch(LIST_FOR_ORDER, order_id)
    return [msgspec.convert(dict(row), Review) for row in rows]


async def list_merchant_reviews(
    conn: asyncpg.Connection, merchant_id: int, *, before_id: int | None = None, limit: int = 20
) -> list[Review]:
    """All reviews of a merchant's products, newest first."""
    rows = await conn.fetch(LIST_FOR_MERCHANT, merchant_id, before_id, limit)
    return [msgspec.convert(dict(row), Review) for row in rows]
