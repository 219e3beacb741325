"""Refunds: through the provider that took the money, booked once, and the fee on manual refunds approved.

A refund no provider makes is `queued` for an admin, who pays it back by hand and marks it paid: money the
platform collected by bank transfer (VietQR sends nothing back), and, when a paid order is cancelled, a
refund its provider refused or could not be reached for. A queued refund is booked at once, like any other:
the order is cancelled with its stock back and the merchant keeps no credit for it.

Every function runs inside the caller's transaction, except `refund_committing_failures`, which owns one so that
a refund the provider refused stays recorded.
"""

from collections.abc import Sequence

import asyncpg

from marketplace.orders import repository as orders_repo
from marketplace.orders.models import OrderHeader
from marketplace.orders.service import transition
from marketplace.payments import get_provider
from marketplace.payments import repository as repo
from marketplace.payments.errors import (
    PaymentConflict,
    PaymentForbidden,
    PaymentNotFound,
    PaymentUnavailable,
    RefundInvalid,
)
from marketplace.payments.ledger import record_fee_reversal, record_refund_entries
from marketplace.payments.models import Payment, QueuedRefund, Refund, RefundPaidForm
from marketplace.payments.providers.protocol import PaymentProvider, ProviderError, RefundRequest
from marketplace.payments.service import PAID_STATUSES, collected_by_platform, refuse_agent
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import Actor, merchant_access, require_user
from marketplace.platform.audit import record_action
from marketplace.platform.database import ACQUIRE_TIMEOUT

__all__ = ["ProviderRefunder", "refund_order", "refund_status", "RefundFailed", "approve_fee_return",
           "refund_committing_failures", "mark_refund_paid", "list_queued_refunds"]


async def refund_order(conn: asyncpg.Connection, providers: Sequence[PaymentProvider], actor: Actor | None,
                       order_id: int, payment_settings: PaymentSettings, *, amount: int | None = None,
                       reason: str = "") -> Refund:
    """Refund all (amount None) or part of a paid order through the provider that took the money."""
    order = await orders_repo.get_order_header(conn, order_id)
    if order is None:
        raise PaymentNotFound("No such order.", code="order_not_found")
    access = await merchant_access(conn, actor, order.merchant_id)
    refuse_agent(access, "refund an order")
    return await _refund_paid_order(conn, providers, order_id, payment_settings, amount=amount, reason=reason,
                                    actor_user_id=require_user(actor), by_admin=access.via == "admin")


async def _refund_paid_order(conn: asyncpg.Connection, providers: Sequence[PaymentProvider], order_id: int,
                             payment_settings: PaymentSettings, *, amount: int | None, reason: str,
                             actor_user_id: int, by_admin: bool, queue_when_refused: bool = False) -> Refund:
    """The refund itself, for a caller already allowed to make it.

    `queue_when_refused` (a cancellation): a provider that refuses, fails or is not configured queues the
    refund for an admin instead of refusing the cancellation."""
    payment, order, amount = await _locked_payment_and_amount(conn, order_id, amount)
    provider = get_provider(providers, payment.method)
    if provider is None:
        if queue_when_refused:
            return await _queue_refund(conn, payment, order, amount, payment_settings, reason=reason,
                                       why=f"{payment.method} refunds are not available", actor_user_id=actor_user_id,
                                       by_admin=by_admin)
        raise PaymentUnavailable(f"{payment.method} refunds are not available now.")
    attempt = await repo.count_refunds_for_payment(conn, payment.id) + 1
    key = f"refund-payment-{payment.id}-{attempt}"
    try:
        result = await provider.refund(RefundRequest(
            provider_reference=payment.provider_reference, payment_intent=payment.payment_intent, amount=amount,
            currency=payment.currency, idempotency_key=key, reason=reason))
    except ProviderError as error:
        if not queue_when_refused:
            raise
        # The provider could not be reached or answered an error: nothing was refunded by it.
        return await _queue_refund(conn, payment, order, amount, payment_settings, reason=reason,
                                   why=f"{payment.method} refund failed: {error}", actor_user_id=actor_user_id,
                                   by_admin=by_admin)
    status = refund_status(result.status)
    if status == "manual" and collected_by_platform(payment):
        # The platform holds the money and no provider sends it back: an admin transfers it by hand.
        status = "queued"
    # Money the merchant collected itself and says it gave back by hand: nothing proves it, so the
    # platform fee on it is returned only when an admin approves (an admin's own refund is approved).
    fee_return_pending = status == "manual" and not collected_by_platform(payment) and not by_admin
    refund = await repo.insert_refund(conn, payment_id=payment.id, order_id=order.id, amount=amount, status=status,
                                      provider_reference=result.reference, reason=reason, idempotency_key=key,
                                      created_by=actor_user_id, fee_return_pending=fee_return_pending)
    if status == "failed":
        if queue_when_refused:
            # The refused attempt stays recorded beside the queued refund that replaces it.
            return await _queue_refund(conn, payment, order, amount, payment_settings, reason=reason,
                                       why=f"{payment.method} refused the refund ({result.status})",
                                       actor_user_id=actor_user_id, by_admin=by_admin)
        # Nothing was given back: the attempt is kept (so the next one gets a new idempotency key), nothing
        # is booked, and the caller hears why.
        raise RefundFailed(f"The provider did not refund ({result.status}); nothing was booked.",
                           refund=refund)
    await _apply_refund(conn, payment, order, refund, payment_settings, actor_user_id=actor_user_id)
    return refund


async def _locked_payment_and_amount(conn: asyncpg.Connection, order_id: int,
                                     amount: int | None) -> tuple[Payment, OrderHeader, int]:
    """The order's paid payment and the order, locked, and the amount to refund (all that is left: None)."""
    payment = next((p for p in reversed(await repo.list_payments_for_order(conn, order_id))
                    if p.status in PAID_STATUSES), None)
    if payment is None:
        raise RefundInvalid("This order has no payment to refund.")
    # Payment first, then its order: the same lock order as webhooks, so the two never deadlock.
    payment = await repo.get_payment(conn, payment.id, for_update=True)
    order = await orders_repo.get_order_header(conn, order_id, for_update=True)
    assert payment is not None and order is not None
    if payment.status not in PAID_STATUSES:
        raise RefundInvalid("This payment changed meanwhile; reload and try again.")
    share = next(po.amount for po in await repo.list_payment_orders(conn, payment.id) if po.order_id == order_id)
    remaining = share - await repo.sum_refunds_for_order(conn, order_id)
    amount = remaining if amount is None else amount
    if amount <= 0 or amount > remaining:
        raise RefundInvalid(f"A refund must be between 1 and {remaining} {payment.currency}.",
                            details={"refundable": remaining})
    return payment, order, amount


async def _queue_refund(conn: asyncpg.Connection, payment: Payment, order: OrderHeader, amount: int,
                        payment_settings: PaymentSettings, *, reason: str, why: str, actor_user_id: int,
                        by_admin: bool) -> Refund:
    """Record a refund for an admin to pay by hand, and book it now."""
    attempt = await repo.count_refunds_for_payment(conn, payment.id) + 1
    refund = await repo.insert_refund(
        conn, payment_id=payment.id, order_id=order.id, amount=amount, status="queued", provider_reference=None,
        reason=f"{reason} ({why})"[:500], idempotency_key=f"refund-payment-{payment.id}-{attempt}-queued",
        created_by=actor_user_id,
        fee_return_pending=not collected_by_platform(payment) and not by_admin)
    await _apply_refund(conn, payment, order, refund, payment_settings, actor_user_id=actor_user_id)
    return refund


async def list_queued_refunds(conn: asyncpg.Connection, actor: Actor | None) -> list[QueuedRefund]:
    """The refunds admins must pay back by hand, oldest first (an admin's API token may read them)."""
    if actor is None or not actor.has_role("admin"):
        raise PaymentForbidden("Only an administrator can see the refunds to pay by hand.")
    return await repo.list_queued_refunds(conn)


async def mark_refund_paid(conn: asyncpg.Connection, actor: Actor | None, refund_id: int,
                           data: RefundPaidForm) -> Refund:
    """An admin paid a queued refund back by hand: recorded with its reference, in the merchant's audit log.

    The ledger does not change: the refund was booked when it was queued."""
    admin_id = require_user(actor)
    if actor is None or not actor.has_role("admin"):
        raise PaymentForbidden("Only an administrator can mark a refund as paid.")
    refund = await repo.get_refund(conn, refund_id, for_update=True)
    if refund is None:
        raise PaymentNotFound("No such refund.", code="refund_not_found")
    if refund.status != "queued":
        raise PaymentConflict("This refund is not waiting to be paid by hand.", code="refund_not_queued",
                              details={"status": refund.status})
    await repo.mark_refund_paid_by_hand(conn, refund.id, paid_by=admin_id, reference=data.reference.strip())
    order = await orders_repo.get_order_header(conn, refund.order_id) if refund.order_id is not None else None
    if order is not None:
        await record_action(conn, admin_id, order.merchant_id, "payments.refund_paid_by_hand",
                            {"refund_id": refund.id, "order_id": order.id, "amount": refund.amount,
                             "reference": data.reference.strip()})
    paid = await repo.get_refund(conn, refund.id)
    assert paid is not None
    return paid


class ProviderRefunder:
    """Cancelling a paid order refunds it through the provider that took the money (orders' CancellationRefunder).

    Stripe refunds by its API; money the merchant collected itself (cash, its own account) is given back by
    the merchant (status `manual`; the fee on it is returned only when an admin approves); money the platform
    collected by bank transfer is queued for an admin to send back by hand (status `queued`). A provider that
    refuses, fails or is not configured also queues the refund for an admin: the order is cancelled either
    way, and the ledger credit is reversed in the same transaction as the cancellation.
    """

    def __init__(self, providers: Sequence[PaymentProvider], payment_settings: PaymentSettings) -> None:
        self.providers = providers
        self.payment_settings = payment_settings

    async def refund_for_cancellation(self, conn: asyncpg.Connection, order_id: int, *, actor_user_id: int,
                                      by_admin: bool, reason: str) -> None:
        await _refund_paid_order(conn, self.providers, order_id, self.payment_settings, amount=None,
                                 reason=reason, actor_user_id=actor_user_id, by_admin=by_admin,
                                 queue_when_refused=True)


def refund_status(provider_status: str | None) -> str:
    """Our refund status for a provider's: failed and canceled give nothing back; requires_action and
    unknown states are pending (booked once now, never again when the provider reports them done)."""
    if provider_status in ("failed", "canceled"):
        return "failed"
    return provider_status if provider_status in ("pending", "succeeded", "manual") else "pending"


class RefundFailed(ProviderError):
    """The provider refused or cancelled the refund; the failed attempt is recorded."""

    code = "refund_failed"

    def __init__(self, message: str, *, refund: Refund) -> None:
        super().__init__(message, details={"refund_id": refund.id})
        self.refund = refund


async def _apply_refund(conn: asyncpg.Connection, payment: Payment, order: OrderHeader, refund: Refund,
                        payment_settings: PaymentSettings, *, actor_user_id: int | None) -> None:
    """Book a refund: payment totals, ledger lines, and the order refunded once nothing is left of it."""
    refunded = payment.amount_refunded + refund.amount
    await repo.update_payment_state(
        conn, payment.id, status="refunded" if refunded >= payment.amount_received else "partially_refunded",
        amount_refunded=refunded)
    await record_refund_entries(conn, order, refund, payment_settings.platform_fee_bps,
                                collected_by_platform=collected_by_platform(payment))
    share = next(po.amount for po in await repo.list_payment_orders(conn, payment.id) if po.order_id == order.id)
    if await repo.sum_refunds_for_order(conn, order.id) >= share and order.status in (
            "confirmed", "shipped", "delivered", "completed"):
        await transition(conn, order.id, "refunded", actor_user_id, refund.reason or "refunded")


async def approve_fee_return(conn: asyncpg.Connection, actor: Actor | None, refund_id: int,
                             payment_settings: PaymentSettings) -> Refund:
    """An admin accepts a merchant's manual refund as real: the platform fee on it is given back now."""
    require_user(actor)
    if actor is None or not actor.has_role("admin"):
        raise PaymentForbidden("Only an administrator can approve returning the platform fee.")
    refund = await repo.get_refund(conn, refund_id, for_update=True)
    if refund is None or refund.order_id is None:
        raise PaymentNotFound("No such refund.", code="refund_not_found")
    if not refund.fee_return_pending:
        raise PaymentConflict("The fee on this refund is not waiting for approval.")
    order = await orders_repo.get_order_header(conn, refund.order_id, for_update=True)
    assert order is not None
    await repo.clear_fee_return_pending(conn, refund.id)
    approved = await repo.get_refund(conn, refund.id)
    assert approved is not None
    await record_fee_reversal(conn, order, approved, payment_settings.platform_fee_bps)
    return approved


async def refund_committing_failures(pool: asyncpg.Pool, providers: Sequence[PaymentProvider], actor: Actor | None,
                                     order_id: int, payment_settings: PaymentSettings, *, amount: int | None,
                                     reason: str) -> Refund:
    """`refund_order` in its own transaction, which is committed when the provider refused the refund: the
    failed attempt stays recorded (the next try gets a new idempotency key); then the error is raised."""
    failure: RefundFailed | None = None
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as conn, conn.transaction():
        try:
            return await refund_order(conn, providers, actor, order_id, payment_settings, amount=amount,
                                      reason=reason)
        except RefundFailed as error:
            failure = error
    raise failure
