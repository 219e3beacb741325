"""Review rules: only the buyer of a delivered order, once per product; one merchant reply; live averages."""

import asyncpg

from marketplace.platform.access import Actor, merchant_access, require_user
from marketplace.platform.audit import record_if_agent
from marketplace.platform.errors import Conflict, Forbidden, NotFound
from marketplace.platform.listings import merchant_document_id, product_document_id
from marketplace.reviews import repository as repo
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


async def _get(conn: asyncpg.Connection, review_id: int) -> Review:
    review = await repo.get_review(conn, review_id)
    if review is None:
        raise NotFound("No such review.", code="review_not_found")
    return review


def _rated_documents(product_kind: str | None, product_id: int, merchant_id: int) -> list[str]:
    """The search documents that show the new averages: the product (or experience) and its shop."""
    return [product_document_id(product_kind, product_id), merchant_document_id(merchant_id)]


async def create_review(conn: asyncpg.Connection, actor: Actor | None, data: ReviewCreate) -> Review:
    """The buyer reviews a product of one of their delivered orders."""
    user_id = require_user(actor)
    order = await repo.get_order_for_review(conn, data.order_id, data.product_id)
    if order is None or order["buyer_user_id"] != user_id:
        raise NotFound("No such order.", code="order_not_found")
    if not order["has_product"]:
        raise Forbidden("This product is not in that order.", code="product_not_in_order")
    if order["status"] not in REVIEWABLE_STATUSES:
        raise Forbidden("You can review once the order has been delivered.", code="order_not_delivered")
    kind = await repo.get_product_kind(conn, data.product_id)
    try:
        # A savepoint: a second review of the same product fails alone, the request's transaction goes on.
        async with conn.transaction():
            review_id = await repo.insert_review(conn, order_id=data.order_id, product_id=data.product_id,
                                                 merchant_id=order["merchant_id"], buyer_user_id=user_id,
                                                 rating=data.rating, body=data.body.strip())
    except asyncpg.UniqueViolationError:
        raise Conflict("You have already reviewed this product for this order.", code="already_reviewed") from None
    await repo.refresh_ratings(conn, data.product_id, order["merchant_id"])
    await enqueue(conn, _rated_documents(kind, data.product_id, order["merchant_id"]))
    return await _get(conn, review_id)


async def reply_to_review(conn: asyncpg.Connection, actor: Actor | None, review_id: int, data: ReplyCreate) -> Review:
    """The merchant (or its agent) replies, once."""
    review = await _get(conn, review_id)
    access = await merchant_access(conn, actor, review.merchant_id)
    if not await repo.update_reply(conn, review_id, data.reply.strip(), access.user_id):
        raise Conflict("This review already has a reply.", code="already_replied")
    await record_if_agent(conn, access, "review.reply", {"review_id": review_id})
    return await _get(conn, review_id)


async def list_product_reviews(
    conn: asyncpg.Connection, product_id: int, *, before_id: int | None = None, limit: int = 20
) -> list[Review]:
    """A product's reviews, newest first."""
    return await repo.list_product_reviews(conn, product_id, before_id, limit)


async def list_order_reviews(conn: asyncpg.Connection, order_id: int) -> list[Review]:
    """The reviews written for one order (shown on its page)."""
    return await repo.list_order_reviews(conn, order_id)


async def list_merchant_reviews(
    conn: asyncpg.Connection, merchant_id: int, *, before_id: int | None = None, limit: int = 20
) -> list[Review]:
    """All reviews of a merchant's products, newest first."""
    return await repo.list_merchant_reviews(conn, merchant_id, before_id, limit)
