"""Cancel Stripe and VietQR orders left unpaid, and cash orders their merchant left untouched, releasing their
stock; safe with several workers at once."""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import asyncpg

from marketplace.orders import repository as orders_repo
from marketplace.orders.service import transition
from marketplace.payments import repository as repo
from marketplace.payments.settings import PaymentSettings, load_payment_settings

__all__ = ["expire_unpaid_orders", "run_expiry_worker", "BATCH_SIZE"]

log = logging.getLogger("marketplace.payments.expiry")

BATCH_SIZE = 50
DEFAULT_INTERVAL_SECONDS = 30.0


async def _expire_batch(pool: asyncpg.Pool, now: datetime, expiry_seconds: int) -> int:
    # One short transaction per batch: the rows stay locked (SKIP LOCKED for other workers) only while
    # this batch is cancelled, and a failure rolls back this batch alone.
    async with pool.acquire() as conn, conn.transaction():
        orders = await orders_repo.list_expirable_orders(conn, now=now, expiry_seconds=expiry_seconds, limit=BATCH_SIZE)
        for order in orders:
            await transition(conn, order.id, "cancelled", None, "payment not received in time")
            await repo.expire_open_payments_for_order(conn, order.id)
        return len(orders)


async def _expire_cash_batch(pool: asyncpg.Pool, now: datetime, older_than_seconds: int) -> int:
    # A cash order holds stock with no money at all: one the merchant never hands over would hold it forever.
    async with pool.acquire() as conn, conn.transaction():
        orders = await orders_repo.list_stale_cash_orders(conn, now=now, older_than_seconds=older_than_seconds,
                                                          limit=BATCH_SIZE)
        for order in orders:
            await transition(conn, order.id, "cancelled", None, "not handed over by the merchant in time")
            await repo.expire_open_payments_for_order(conn, order.id)
        return len(orders)


async def expire_unpaid_orders(pool: asyncpg.Pool, now: datetime | None = None, *,
                               expiry_minutes: int | None = None, cod_confirm_hours: int | None = None) -> int:
    """Cancel every order unpaid past its deadline (and cash orders the merchant left untouched past theirs),
    releasing their stock; returns how many this call did."""
    settings = load_payment_settings() if expiry_minutes is None or cod_confirm_hours is None else None
    minutes = expiry_minutes if expiry_minutes is not None else settings.expiry_minutes  # type: ignore[union-attr]
    hours = cod_confirm_hours if cod_confirm_hours is not None else settings.cod_confirm_hours  # type: ignore[union-attr]
    moment = now or datetime.now(UTC)
    total = 0
    for expire, seconds in ((_expire_batch, minutes * 60), (_expire_cash_batch, hours * 3600)):
        while True:
            done = await expire(pool, moment, seconds)
            total += done
            if done < BATCH_SIZE:
                break
    return total


async def run_expiry_worker(pool: asyncpg.Pool, settings: object, stop_event: asyncio.Event, *,
                            payment_settings: PaymentSettings | None = None,
                            interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
                            on_round: Callable[[bool], Awaitable[None]] | None = None) -> None:
    """Run `expire_unpaid_orders` every `interval_seconds` until `stop_event` is set (an app background task).

    `on_round(succeeded)` is told of every round (the service counts them for its metrics).
    """
    chosen = payment_settings or load_payment_settings()
    while not stop_event.is_set():
        succeeded = False
        try:
            cancelled = await expire_unpaid_orders(pool, expiry_minutes=chosen.expiry_minutes,
                                                   cod_confirm_hours=chosen.cod_confirm_hours)
            succeeded = True
            if cancelled:
                log.info("cancelled %d unpaid orders", cancelled)
        except (asyncpg.PostgresError, OSError) as error:
            # The database may be restarting; try again next round rather than ending the task.
            log.warning("expiry round failed: %s", error)
        if on_round is not None:
            await on_round(succeeded)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=interval_seconds)
