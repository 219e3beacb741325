"""Cash on delivery: confirmed at checkout, paid when the merchant records the cash, refunded by hand."""

import asyncpg
import pytest

from marketplace.orders.service import transition
from marketplace.payments import refunds, service
from marketplace.payments.errors import PaymentConflict, PaymentForbidden
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.settings import PaymentSettings
from tests.marketplace.payments.factories import buy, make_merchant, make_user, make_variant, order_status


async def test_cash_is_recorded_once_and_refunded_by_hand(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    owner, merchant_id = await make_merchant(conn)
    variant_id = await make_variant(conn, owner, merchant_id, price=40_000)
    buyer = await make_user(conn)
    placed = await buy(conn, buyer, [(variant_id, 2)], payment_method="cod")
    order_id = placed.order_ids[0]
    assert await order_status(conn, order_id) == "confirmed"
    with pytest.raises(Exception, match="No such merchant"):
        await service.collect_cash(conn, buyer, order_id, payment_settings)
    paid = await service.collect_cash(conn, owner, order_id, payment_settings)
    assert (paid.method, paid.status, paid.amount) == ("cod", "paid", 80_000)
    with pytest.raises(PaymentConflict):
        await service.collect_cash(conn, owner, order_id, payment_settings)
    # The merchant kept the cash: the ledger charges only the platform fee (5%).
    entries = await conn.fetch("SELECT kind, amount FROM ledger_entries WHERE order_id = $1 ORDER BY id", order_id)
    assert [(e["kind"], e["amount"]) for e in entries] == [("platform_fee", -4_000)]
    refund = await refunds.refund_order(conn, providers, owner, order_id, payment_settings, reason="damaged")
    assert (refund.status, refund.amount) == ("manual", 80_000)
    assert await order_status(conn, order_id) == "refunded"
    # Nothing proves the cash went back: the fee stays charged until an admin approves the refund.
    balance = await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1", merchant_id)
    assert balance == -4_000 and refund.fee_return_pending
    with pytest.raises(PaymentForbidden):
        await refunds.approve_fee_return(conn, owner, refund.id, payment_settings)
    admin = await make_user(conn, "admin")
    await refunds.approve_fee_return(conn, admin, refund.id, payment_settings)
    balance = await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1", merchant_id)
    assert balance == 0
    with pytest.raises(PaymentConflict):
        await refunds.approve_fee_return(conn, admin, refund.id, payment_settings)


async def test_cash_recorded_after_delivery(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    owner, merchant_id = await make_merchant(conn)
    variant_id = await make_variant(conn, owner, merchant_id, price=40_000)
    placed = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="cod")
    order_id = placed.order_ids[0]
    for status in ("shipped", "delivered"):
        await transition(conn, order_id, status, owner.user_id)
    paid = await service.collect_cash(conn, owner, order_id, payment_settings)
    assert paid.status == "paid"
    assert await order_status(conn, order_id) == "delivered"
    # A cancelled cash order has nothing to collect.
    cancelled = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="cod")
    await transition(conn, cancelled.order_ids[0], "cancelled", owner.user_id)
    with pytest.raises(PaymentConflict):
        await service.collect_cash(conn, owner, cancelled.order_ids[0], payment_settings)


async def test_demo_orders_are_paid_through_the_real_rules(
        conn: asyncpg.Connection, payment_settings: PaymentSettings) -> None:
    from marketplace.demo import pay_demo_order

    owner, merchant_id = await make_merchant(conn)
    variant_id = await make_variant(conn, owner, merchant_id, price=60_000)
    admin = await make_user(conn, "admin")
    transfer = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="vietqr")
    cash = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="cod")
    assert (await pay_demo_order(conn, admin, transfer.order_ids[0], payment_settings)).status == "paid"
    assert (await pay_demo_order(conn, admin, cash.order_ids[0], payment_settings, refund=True)).status == "paid"
    assert await order_status(conn, transfer.order_ids[0]) == "confirmed"
    assert await order_status(conn, cash.order_ids[0]) == "refunded"
    # Owed: the transfer to the platform less its 5% fee; the refunded cash order nets to zero.
    balance = await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1", merchant_id)
    assert balance == 60_000 - 3_000
