"""Orders after checkout: the state machine, who may move an order, and reservations released once."""

import asyncpg
import pytest

from marketplace.orders import service as orders
from marketplace.orders.errors import InvalidTransition, OrderNotFound
from marketplace.orders.states import ALLOWED_TRANSITIONS, ORDER_STATUSES
from marketplace.platform.errors import Forbidden
from tests.marketplace.factories import buy, make_admin, make_merchant, make_product, make_user


async def stock_of(conn: asyncpg.Connection, variant_id: int) -> int:
    return await conn.fetchval("SELECT stock FROM product_variants WHERE id = $1", variant_id)


@pytest.mark.parametrize("from_status", ORDER_STATUSES)
async def test_every_transition_is_allowed_or_refused_by_the_table(conn: asyncpg.Connection,
                                                                   from_status: str) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant, stock=100)
    for to_status in ORDER_STATUSES:
        placed = await buy(conn, buyer, product.variants[0].id)
        order_id = placed.order_ids[0]
        await conn.execute("UPDATE orders SET status = $2 WHERE id = $1", order_id, from_status)
        if to_status in ALLOWED_TRANSITIONS[from_status]:
            assert await orders.transition(conn, order_id, to_status, owner.user_id, "test") == from_status
            last = await conn.fetchrow("SELECT from_status, to_status, actor_user_id, reason FROM order_events "
                                       "WHERE order_id = $1 ORDER BY id DESC LIMIT 1", order_id)
            assert dict(last) == {"from_status": from_status, "to_status": to_status,
                                  "actor_user_id": owner.user_id, "reason": "test"}
        else:
            with pytest.raises(InvalidTransition):
                await orders.transition(conn, order_id, to_status, owner.user_id)
            assert await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_id) == from_status


async def test_cancelling_releases_stock_once(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant, stock=5)
    variant_id = product.variants[0].id
    placed = await buy(conn, buyer, variant_id, 3)
    assert await stock_of(conn, variant_id) == 2
    await orders.transition(conn, placed.order_ids[0], "cancelled", buyer.user_id)
    assert await stock_of(conn, variant_id) == 5
    assert await orders.release_reservation(conn, placed.order_ids[0]) is False
    assert await stock_of(conn, variant_id) == 5
    assert await conn.fetchval("SELECT count(*) FROM search_outbox WHERE document_id = $1",
                               f"product:{product.id}") >= 2


async def test_refund_after_shipping_does_not_restock(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant, stock=5)
    placed = await buy(conn, buyer, product.variants[0].id, 2)
    await orders.transition(conn, placed.order_ids[0], "shipped", owner.user_id)
    await orders.transition(conn, placed.order_ids[0], "refunded", None, "returned damaged")
    assert await stock_of(conn, product.variants[0].id) == 3


async def test_who_may_move_an_order(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    stranger = await make_user(conn)
    owner, merchant = await make_merchant(conn)
    other_owner, _ = await make_merchant(conn, name="Cửa hàng khác")
    product = await make_product(conn, owner, merchant)
    order_id = (await buy(conn, buyer, product.variants[0].id)).order_ids[0]
    # The buyer cannot mark their own order shipped; other merchants and strangers do not even see it.
    with pytest.raises(Forbidden):
        await orders.change_status_as(conn, buyer, order_id, "shipped")
    for outsider in (stranger, other_owner):
        with pytest.raises(OrderNotFound):
            await orders.change_status_as(conn, outsider, order_id, "shipped")
        with pytest.raises(OrderNotFound):
            await orders.get_order_for(conn, outsider, order_id)
    order = await orders.change_status_as(conn, owner, order_id, "shipped")
    order = await orders.change_status_as(conn, owner, order_id, "delivered")
    with pytest.raises(Forbidden):  # completing is the buyer's confirmation of receipt
        await orders.change_status_as(conn, owner, order_id, "completed")
    order = await orders.change_status_as(conn, buyer, order_id, "completed")
    assert [e.to_status for e in order.events] == ["confirmed", "shipped", "delivered", "completed"]
    assert order.events[-1].actor_user_id == buyer.user_id
    with pytest.raises(InvalidTransition):
        await orders.change_status_as(conn, await make_admin(conn), order_id, "shipped")
