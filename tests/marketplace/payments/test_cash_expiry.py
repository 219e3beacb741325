"""Cash-on-delivery orders expire when the merchant leaves them untouched (issue 10, point 7): a new account used
to reserve the whole catalogue in one cash checkout, held forever."""

from datetime import UTC, datetime, timedelta

import asyncpg

from marketplace.orders.service import change_status_as
from marketplace.payments import service
from marketplace.payments.expiry import expire_unpaid_orders
from marketplace.payments.settings import PaymentSettings, load_payment_settings
from tests.marketplace.payments.factories import buy, make_merchant, make_user, make_variant, order_status, stock_of


async def test_untouched_cash_orders_expire_and_release_their_stock(
        pool: asyncpg.Pool, payment_settings: PaymentSettings) -> None:
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant_id = await make_merchant(conn)
        variant = await make_variant(conn, owner, merchant_id, stock=10)
        untouched = (await buy(conn, await make_user(conn), [(variant, 3)], payment_method="cod")).order_ids[0]
        shipped = (await buy(conn, await make_user(conn), [(variant, 2)], payment_method="cod")).order_ids[0]
        await change_status_as(conn, owner, shipped, "shipped")
        paid = (await buy(conn, await make_user(conn), [(variant, 1)], payment_method="cod")).order_ids[0]
        await service.collect_cash(conn, owner, paid, payment_settings)
    now = datetime.now(UTC)
    assert await expire_unpaid_orders(pool, now + timedelta(hours=71), expiry_minutes=30, cod_confirm_hours=72) == 0
    assert await expire_unpaid_orders(pool, now + timedelta(hours=73), expiry_minutes=30, cod_confirm_hours=72) == 1
    async with pool.acquire() as conn:
        assert await order_status(conn, untouched) == "cancelled"
        assert await order_status(conn, shipped) == "shipped" and await order_status(conn, paid) == "confirmed"
        assert await stock_of(conn, variant) == 10 - 2 - 1


def test_the_limit_is_a_setting() -> None:
    assert load_payment_settings({}).cod_confirm_hours == 72
    assert load_payment_settings({"COD_CONFIRM_HOURS": "24"}).cod_confirm_hours == 24
