"""The ledger and the orders agree whatever people do, in any order (issue 10, point 5), checked by hypothesis.

Random sequences of place, pay, ship, deliver, cancel, refund and payout over two merchants (cancelling also
while no provider can refund, which queues the refund for an admin, and the admin paying queued refunds by
hand), each run in one transaction rolled back afterwards. After each sequence, for every merchant, the ledger
balance equals what the orders, payments, refunds and payouts say independently: sales − fees − refunds −
payouts; and no cancelled or refunded order has money still held by a payment.
"""

from typing import Any

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.orders import service as orders
from marketplace.payments import refunds, service
from marketplace.payments.ledger import fee_for
from marketplace.payments.models import PayoutForm, RefundPaidForm
from marketplace.payments.providers.bank_transfer import VietQRProvider
from marketplace.payments.providers.cod import CashOnDeliveryProvider
from marketplace.payments.refunds import ProviderRefunder
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.errors import AppError
from tests.marketplace.payments.conftest import PLATFORM_BANK
from tests.marketplace.payments.factories import buy, make_merchant, make_user, make_variant

FEE_BPS = 500
SETTINGS = PaymentSettings(expiry_minutes=30, platform_fee_bps=FEE_BPS, platform_bank=PLATFORM_BANK,
                           bank_webhook_secret="bank-hmac-secret-for-tests-0123456789", stripe_api_base=None)
PROVIDERS = [VietQRProvider(webhook_secret=SETTINGS.bank_webhook_secret), CashOnDeliveryProvider()]

merchant_index = st.integers(0, 1)
order_index = st.integers(0, 7)
STEPS = st.one_of(
    st.tuples(st.just("place"), merchant_index, st.sampled_from(["cod", "vietqr"]), st.integers(1, 3)),
    st.tuples(st.just("pay"), order_index),
    st.tuples(st.sampled_from(["shipped", "delivered", "completed", "cancelled"]), order_index,
              st.sampled_from(["buyer", "owner", "admin"])),
    st.tuples(st.just("refund"), order_index, st.sampled_from([None, 10_000])),
    st.tuples(st.just("payout"), merchant_index, st.integers(1, 200_000)),
    st.tuples(st.just("cancel_during_outage"), order_index),
    st.tuples(st.just("pay_back_by_hand"), order_index),
)


async def _step(conn: asyncpg.Connection, world: dict[str, Any], step: tuple[Any, ...]) -> None:
    kind, *args = step
    admin, buyer = world["admin"], world["buyer"]
    placed: list[int] = world["orders"]
    if kind == "place":
        owner, _, variant = world["merchants"][args[0]]
        checkout = await buy(conn, buyer, [(variant, args[2])], payment_method=args[1])
        placed.extend(checkout.order_ids)
    elif kind == "payout":
        _, merchant_id, _ = world["merchants"][args[0]]
        await service.record_payout(conn, admin, PayoutForm(merchant_id=merchant_id, amount=args[1]))
    elif not placed:
        return
    elif kind == "pay":
        order = await conn.fetchrow("SELECT checkout_id, payment_method, merchant_id FROM orders WHERE id = $1",
                                    placed[args[0] % len(placed)])
        if order["payment_method"] == "cod":
            await service.collect_cash(conn, world["owners"][order["merchant_id"]], placed[args[0] % len(placed)],
                                       SETTINGS)
        else:
            for payment in await service.prepare_checkout_payments(conn, order["checkout_id"], SETTINGS):
                await service.confirm_transfer(conn, admin, payment.id, SETTINGS)
    elif kind == "cancel_during_outage":
        # No provider reachable: the refund of a paid order is queued for an admin, the order cancelled anyway.
        await orders.change_status_as(conn, admin, placed[args[0] % len(placed)], "cancelled",
                                      refunder=ProviderRefunder([], SETTINGS))
    elif kind == "pay_back_by_hand":
        queued = await refunds.list_queued_refunds(conn, admin)
        if queued:
            await refunds.mark_refund_paid(conn, admin, queued[args[0] % len(queued)].id,
                                           RefundPaidForm(reference="FT-by-hand"))
    elif kind == "refund":
        await refunds.refund_order(conn, PROVIDERS, admin, placed[args[0] % len(placed)], SETTINGS, amount=args[1])
    else:
        order_id = placed[args[0] % len(placed)]
        merchant_id = await conn.fetchval("SELECT merchant_id FROM orders WHERE id = $1", order_id)
        actor = {"buyer": buyer, "admin": admin, "owner": world["owners"][merchant_id]}[args[1]]
        await orders.change_status_as(conn, actor, order_id, kind,
                                      refunder=ProviderRefunder(PROVIDERS, SETTINGS))


EXPECTED_BALANCE = """
WITH paid AS (
    SELECT po.order_id, po.amount, (p.method = 'stripe' OR (p.method = 'vietqr' AND p.payee_merchant_id IS NULL))
           AS by_platform
    FROM payment_orders po JOIN payments p ON p.id = po.payment_id
    WHERE p.status IN ('paid', 'partially_refunded', 'refunded'))
SELECT o.merchant_id, o.id, o.total, o.status, paid.amount AS share, paid.by_platform,
       (SELECT COALESCE(sum(r.amount), 0) FROM refunds r WHERE r.order_id = o.id AND r.status <> 'failed')
           AS refunded,
       (SELECT COALESCE(sum(r.amount), 0) FROM refunds r
        WHERE r.order_id = o.id AND r.status <> 'failed' AND NOT r.fee_return_pending) AS fee_returnable
FROM orders o JOIN paid ON paid.order_id = o.id
WHERE o.merchant_id = ANY($1::bigint[])
"""


async def _check_invariants(conn: asyncpg.Connection, merchant_ids: list[int]) -> None:
    expected = dict.fromkeys(merchant_ids, 0)
    for row in await conn.fetch(EXPECTED_BALANCE, merchant_ids):
        sales = row["share"] if row["by_platform"] else 0
        fees = fee_for(row["total"], FEE_BPS) - fee_for(row["fee_returnable"], FEE_BPS)
        refunded = row["refunded"] if row["by_platform"] else 0
        expected[row["merchant_id"]] += sales - fees - refunded
        # No order that ended (cancelled or refunded) keeps money a payment took for it.
        if row["status"] in ("cancelled", "refunded"):
            assert row["share"] - row["refunded"] == 0, dict(row)
    for merchant_id in merchant_ids:
        payouts = await conn.fetchval("SELECT COALESCE(sum(amount), 0) FROM payouts WHERE merchant_id = $1",
                                      merchant_id)
        balance = await conn.fetchval("SELECT COALESCE(sum(amount), 0) FROM ledger_entries WHERE merchant_id = $1",
                                      merchant_id)
        assert balance == expected[merchant_id] - payouts, merchant_id


async def _world(conn: asyncpg.Connection) -> dict[str, Any]:
    merchants, owners = [], {}
    for name in ("HTX Nho Thái An", "Gốm Bàu Trúc"):
        owner, merchant_id = await make_merchant(conn, name)
        merchants.append((owner, merchant_id, await make_variant(conn, owner, merchant_id, price=40_000, stock=50)))
        owners[merchant_id] = owner
    return {"merchants": merchants, "owners": owners, "admin": await make_user(conn, "admin"),
            "buyer": await make_user(conn), "orders": []}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(steps=st.lists(STEPS, min_size=1, max_size=14))
async def test_ledger_matches_orders_after_any_sequence(pool: asyncpg.Pool, steps: list[tuple[Any, ...]]) -> None:
    async with pool.acquire() as conn:
        transaction = conn.transaction()
        await transaction.start()
        try:
            world = await _world(conn)
            for step in steps:
                try:
                    async with conn.transaction():  # a refused step (a 4xx) changes nothing
                        await _step(conn, world, step)
                except AppError:
                    pass
            await _check_invariants(conn, [m for _, m, _ in world["merchants"]])
        finally:
            await transaction.rollback()
