"""Unpaid Stripe and VietQR orders expire once, however many workers race for them."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from marketplace.payments import expiry, service
from marketplace.payments.events import apply_event
from marketplace.payments.expiry import expire_unpaid_orders, run_expiry_worker
from marketplace.payments.providers.protocol import PaymentProvider
from marketplace.payments.settings import PaymentSettings
from tests.marketplace.payments.factories import (
    buy,
    make_merchant,
    make_user,
    make_variant,
    order_transitions,
    stock_of,
)
from tests.marketplace.payments.stripe_standin import StripeStandIn, signed_event

URL = "http://127.0.0.1:8000/vi/payments/checkouts/1"


async def place_unpaid_orders(pool: asyncpg.Pool, count: int) -> tuple[list[int], int, list[int]]:
    """`count` unpaid orders (alternating Stripe and VietQR) and one cash order; committed for other workers."""
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant_id = await make_merchant(conn)
        variant_id = await make_variant(conn, owner, merchant_id, stock=100)
        unpaid: list[int] = []
        for number in range(count):
            buyer = await make_user(conn)
            placed = await buy(conn, buyer, [(variant_id, 2)], payment_method=("stripe", "vietqr")[number % 2])
            unpaid += placed.order_ids
        cash = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="cod")
    return unpaid, variant_id, cash.order_ids


async def test_two_workers_racing_release_each_order_once(pool: asyncpg.Pool,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    unpaid, variant_id, cash = await place_unpaid_orders(pool, 12)
    async with pool.acquire() as conn:
        assert await stock_of(conn, variant_id) == 100 - 2 * 12 - 1
    # Small batches make the workers interleave over many rounds instead of one taking everything.
    monkeypatch.setattr(expiry, "BATCH_SIZE", 2)
    later = datetime.now(UTC) + timedelta(minutes=31)
    counts = await asyncio.gather(*(expire_unpaid_orders(pool, now=later, expiry_minutes=30) for _ in range(3)))
    assert sum(counts) == len(unpaid)
    async with pool.acquire() as conn:
        for order_id in unpaid:
            assert await order_transitions(conn, order_id) == ["pending_payment", "cancelled"]
        # Every reserved kilo is back exactly once; the cash order is untouched.
        assert await stock_of(conn, variant_id) == 100 - 1
        assert await order_transitions(conn, cash[0]) == ["confirmed"]
    assert await expire_unpaid_orders(pool, now=later, expiry_minutes=30) == 0


async def test_young_orders_and_open_sessions_wait(pool: asyncpg.Pool, providers: list[PaymentProvider],
                                                   payment_settings: PaymentSettings) -> None:
    unpaid, _, _ = await place_unpaid_orders(pool, 2)
    assert await expire_unpaid_orders(pool, expiry_minutes=30) == 0
    async with pool.acquire() as conn, conn.transaction():
        checkout_id = await conn.fetchval("SELECT checkout_id FROM orders WHERE id = $1", unpaid[0])
        await service.start_checkout_payments(conn, providers, payment_settings, checkout_id, locale="en",
                                              return_url=URL, cancel_url=URL)
    # 31 minutes on, the order whose Stripe session is still open (Stripe sessions last at least 30 minutes
    # from their start, here a moment ago, so until 30 minutes from now) is spared; the other one expires.
    almost = datetime.now(UTC) + timedelta(minutes=29)
    assert await expire_unpaid_orders(pool, now=almost, expiry_minutes=0) == 1
    async with pool.acquire() as conn:
        assert await order_transitions(conn, unpaid[0]) == ["pending_payment"]
        assert await order_transitions(conn, unpaid[1]) == ["pending_payment", "cancelled"]


async def test_worker_runs_until_stopped(pool: asyncpg.Pool) -> None:
    unpaid, _, _ = await place_unpaid_orders(pool, 1)
    stop = asyncio.Event()
    task = asyncio.create_task(run_expiry_worker(pool, None, stop, payment_settings=PaymentSettings(expiry_minutes=0),
                                                 interval_seconds=0.05))
    async with pool.acquire() as conn:
        for _ in range(600):  # up to 30 s on a loaded machine; the assertion below says what was missing
            if await order_transitions(conn, unpaid[0]) != ["pending_payment"]:
                break
            await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert task.done() and task.exception() is None
    async with pool.acquire() as conn:
        assert await order_transitions(conn, unpaid[0]) == ["pending_payment", "cancelled"]


@pytest.mark.parametrize("round_number", range(3))
async def test_payment_racing_expiry_ends_consistent(pool: asyncpg.Pool, providers: list[PaymentProvider],
                                                     payment_settings: PaymentSettings, standin: StripeStandIn,
                                                     round_number: int) -> None:
    """Money arriving while the expiry worker cancels: either paid and confirmed, or cancelled with the
    payment flagged for a refund; never paid and cancelled silently, never a deadlock."""
    unpaid, variant_id, _ = await place_unpaid_orders(pool, 1)
    async with pool.acquire() as conn, conn.transaction():
        checkout_id = await conn.fetchval("SELECT checkout_id FROM orders WHERE id = $1", unpaid[0])
        [payment] = await service.start_checkout_payments(conn, providers, payment_settings, checkout_id,
                                                          locale="vi", return_url=URL, cancel_url=URL)
    session = standin.complete(payment.provider_reference or "")
    body, headers = signed_event("checkout.session.completed", session)
    event = providers[0].verify_notification(body, headers)

    async def webhook() -> None:
        async with pool.acquire() as conn, conn.transaction():
            await apply_event(conn, event, payment_settings)

    later = datetime.now(UTC) + timedelta(hours=2)
    await asyncio.gather(webhook(), expire_unpaid_orders(pool, now=later, expiry_minutes=30))
    async with pool.acquire() as conn:
        status = await conn.fetchval("SELECT status FROM orders WHERE id = $1", unpaid[0])
        paid = await conn.fetchval("SELECT status FROM payments WHERE id = $1", payment.id)
        stock = await stock_of(conn, variant_id)
    assert (status, paid) in {("confirmed", "paid"), ("cancelled", "review")}
    assert stock == (100 - 1 - 2 if status == "confirmed" else 100 - 1)
