"""Reviews: only the buyer of a delivered order, once per product; one reply by the merchant; live averages."""

import asyncpg
import pytest

from marketplace.catalog import service as catalog
from marketplace.orders import service as orders
from marketplace.platform.errors import Conflict, Forbidden, NotFound
from marketplace.reviews import service as reviews
from marketplace.reviews.models import ReplyCreate, ReviewCreate
from tests.marketplace.factories import buy, make_merchant, make_product, make_user


async def test_only_the_buyer_of_a_delivered_order_reviews_and_the_merchant_replies_once(
        conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant)
    order_id = (await buy(conn, buyer, product.variants[0].id)).order_ids[0]
    review = ReviewCreate(order_id=order_id, product_id=product.id, rating=4, body="Nho ngọt, giao nhanh")
    with pytest.raises(Forbidden):  # not delivered yet
        await reviews.create_review(conn, buyer, review)
    await orders.transition(conn, order_id, "shipped", owner.user_id)
    await orders.transition(conn, order_id, "delivered", owner.user_id)
    with pytest.raises(NotFound):  # someone else's order
        await reviews.create_review(conn, await make_user(conn), review)
    created = await reviews.create_review(conn, buyer, review)
    with pytest.raises(Conflict):
        await reviews.create_review(conn, buyer, review)
    second_buyer = await make_user(conn)
    second_order = (await buy(conn, second_buyer, product.variants[0].id)).order_ids[0]
    for status in ("shipped", "delivered", "completed"):
        await orders.transition(conn, second_order, status, None)
    await reviews.create_review(conn, second_buyer, ReviewCreate(order_id=second_order, product_id=product.id,
                                                                 rating=1, body="Too sour"))
    rated = await catalog.get_public_product(conn, product.slug)
    assert (rated.rating_avg, rated.rating_count) == (2.5, 2)
    assert await conn.fetchval("SELECT rating_count FROM merchants WHERE id = $1", merchant.id) == 2
    other, _ = await make_merchant(conn, name="Other")
    with pytest.raises(NotFound):  # another merchant cannot reply
        await reviews.reply_to_review(conn, other, created.id, ReplyCreate("Thanks"))
    replied = await reviews.reply_to_review(conn, owner, created.id, ReplyCreate("Cảm ơn bạn!"))
    assert replied.reply == "Cảm ơn bạn!"
    with pytest.raises(Conflict):
        await reviews.reply_to_review(conn, owner, created.id, ReplyCreate("Again"))
