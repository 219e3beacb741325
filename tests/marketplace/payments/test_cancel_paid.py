"""Cancelling a paid order gives the money back through its provider and reverses the merchant's ledger credit
(issue 10, point 5: a card-paid order used to be cancelled with the payment kept `paid`)."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from marketplace.orders import service as orders
from marketplace.orders.errors import OrderPaid
from marketplace.payments import service
from marketplace.payments.events import apply_event
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.providers.stripe import StripeProvider
from marketplace.payments.refunds import ProviderRefunder
from marketplace.payments.settings import PaymentSettings
from tests.marketplace.payments.factories import order_status, stock_of
from tests.marketplace.payments.stripe_standin import StripeStandIn, signed_event
from tests.marketplace.payments.test_web import client, placed_order, sign_in  # noqa: F401

RETURN = "http://127.0.0.1:8000/vi/payments/checkouts/1"


async def _pay_by_card(pool: asyncpg.Pool, providers: list[PaymentProvider], payment_settings: PaymentSettings,
                       standin: StripeStandIn, placed: Any) -> None:
    async with pool.acquire() as conn, conn.transaction():
        payment = (await service.start_checkout_payments(conn, providers, payment_settings, placed.checkout_id,
                                                         locale="vi", return_url=RETURN, cancel_url=RETURN))[0]
        body, headers = signed_event("checkout.session.completed", standin.complete(payment.provider_reference))
        stripe = providers[0]
        assert isinstance(stripe, StripeProvider)
        await apply_event(conn, stripe.verify_notification(body, headers), payment_settings)


async def test_buyer_cancelling_a_card_paid_order_is_refunded_by_stripe(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, providers: list[PaymentProvider],  # noqa: F811
        payment_settings: PaymentSettings, standin: StripeStandIn) -> None:
    placed, buyer, _, merchant_id, variant_id = await placed_order(pool, "stripe", quantity=2)
    await _pay_by_card(pool, providers, payment_settings, standin, placed)
    order_id = placed.order_ids[0]
    assert await pool.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1", merchant_id) > 0
    await sign_in(client, pool, buyer)
    response = await client.post(f"/api/v1/orders/{order_id}/status", json={"status": "cancelled"})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "refunded"
    assert [refund["amount"] for refund in standin.refunds] == [180_000]
    assert await pool.fetchval("SELECT status FROM payments WHERE checkout_id = $1", placed.checkout_id) == "refunded"
    assert await pool.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1", merchant_id) == 0
    async with pool.acquire() as conn:
        assert await stock_of(conn, variant_id) == 6


async def test_stripe_refusing_the_refund_queues_it_for_an_admin_and_cancels(
        pool: asyncpg.Pool, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    """It used to answer 409 refund_failed and leave the order standing: now the refund is queued for an admin
    (tests/marketplace/payments/test_refund_queue.py) and the order is cancelled."""
    placed, buyer, _, merchant_id, _ = await placed_order(pool, "stripe")
    await _pay_by_card(pool, providers, payment_settings, standin, placed)
    standin.refund_status = "failed"
    order_id = placed.order_ids[0]
    refunder = ProviderRefunder(providers, payment_settings)
    async with pool.acquire() as conn, conn.transaction():
        await orders.change_status_as(conn, buyer, order_id, "cancelled", refunder=refunder)
    async with pool.acquire() as conn:
        assert await order_status(conn, order_id) in ("cancelled", "refunded")
        assert await conn.fetchval("SELECT status FROM refunds WHERE order_id = $1 ORDER BY id DESC LIMIT 1",
                                   order_id) == "queued"
        assert await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1",
                                   merchant_id) == 0


async def test_no_path_cancels_a_paid_order_without_its_refund(
        pool: asyncpg.Pool, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, buyer, _, _, _ = await placed_order(pool, "stripe")
    await _pay_by_card(pool, providers, payment_settings, standin, placed)
    async with pool.acquire() as conn, conn.transaction():
        for attempt in (orders.change_status_as(conn, buyer, placed.order_ids[0], "cancelled"),
                        orders.transition(conn, placed.order_ids[0], "cancelled", None)):
            try:
                await attempt
            except OrderPaid:
                continue
            raise AssertionError("cancelled with the money kept")
