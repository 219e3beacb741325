"""Applying verified provider notifications: stored by event id first, so a replay changes nothing.

State only moves forward (pending -> paid -> partially refunded -> refunded; pending -> expired), and
refund totals are cumulative maxima, so events that arrive out of order leave the right final state.
"""

import asyncpg

from marketplace.orders import repository as orders_repo
from marketplace.orders.service import transition
from marketplace.payments import repository as repo
from marketplace.payments.ledger import record_refund_entries
from marketplace.payments.models import EventOutcome, Payment
from marketplace.payments.providers.protocol import PaymentEvent, PaymentEventKind
from marketplace.payments.service import PAID_STATUSES, find_payment_codes, mark_paid
from marketplace.payments.settings import PaymentSettings

__all__ = ["apply_event"]

SYSTEM = None  # orders record payment-driven transitions with no user as actor


async def apply_event(conn: asyncpg.Connection, event: PaymentEvent,
                      payment_settings: PaymentSettings) -> EventOutcome:
    """Record the event and apply it once; a second delivery of the same event id returns `duplicate`."""
    stored = await repo.insert_event(
        conn, method=event.method, event_id=event.event_id, provider_type=event.provider_type,
        amount=event.amount_refunded if event.kind == PaymentEventKind.REFUNDED else event.amount,
        description=event.order_code if event.kind == PaymentEventKind.TRANSFER_RECEIVED else event.payment_intent)
    if not stored:
        return EventOutcome(event_id=event.event_id, outcome="duplicate", duplicate=True)
    payment = await _find_payment(conn, event)
    if payment is None:
        # A transfer nobody can match, or a Stripe event for a payment we do not know (yet): kept for
        # a person, and for a refund that overtook its payment, replayed when the payment completes.
        outcome = "unmatched" if event.kind != PaymentEventKind.IGNORED else "ignored"
        await repo.update_event(conn, event.method, event.event_id, outcome=outcome, payment_id=None)
        return EventOutcome(event_id=event.event_id, outcome=outcome)
    outcome = await _apply(conn, payment, event, payment_settings)
    await repo.update_event(conn, event.method, event.event_id, outcome=outcome, payment_id=payment.id)
    return EventOutcome(event_id=event.event_id, outcome=outcome, payment_id=payment.id)


async def _find_payment(conn: asyncpg.Connection, event: PaymentEvent) -> Payment | None:
    if event.kind == PaymentEventKind.TRANSFER_RECEIVED:
        codes = find_payment_codes(event.order_code or "")
        matches = await repo.list_vietqr_payments_by_reference(conn, codes) if codes else []
        return matches[0] if matches else None
    if event.provider_reference:
        found = await repo.get_payment_by_reference(conn, event.method, event.provider_reference)
        if found is not None:
            return found
    if event.payment_intent:
        return await repo.get_payment_by_intent(conn, event.payment_intent)
    return None


async def _apply(conn: asyncpg.Connection, payment: Payment, event: PaymentEvent,
                 payment_settings: PaymentSettings) -> str:
    if event.kind == PaymentEventKind.PAID:
        return await _paid(conn, payment, event, payment_settings)
    if event.kind == PaymentEventKind.TRANSFER_RECEIVED:
        return await _transfer(conn, payment, event, payment_settings)
    if event.kind == PaymentEventKind.EXPIRED:
        return await _expired(conn, payment)
    if event.kind == PaymentEventKind.FAILED:
        return await _failed(conn, payment, event)
    if event.kind == PaymentEventKind.REFUNDED:
        return await _refunded(conn, payment, event.amount_refunded or 0, payment_settings)
    if event.kind == PaymentEventKind.REFUND_UPDATED:
        return await _refund_updated(conn, payment, event)
    return "ignored"


async def _refund_updated(conn: asyncpg.Connection, payment: Payment, event: PaymentEvent) -> str:
    """A refund we booked failed or was cancelled at Stripe after all: the money is still with the platform.

    Its ledger lines stay (the ledger has no reversal entry yet) and the payment keeps its status; the
    event is listed for a person, who refunds again by hand or corrects the books.
    """
    if event.refund_status not in ("failed", "canceled"):
        return "ignored"
    refunds = await repo.list_refunds_for_payment(conn, payment.id)
    booked = next((r for r in refunds if r.provider_reference == event.refund_reference), None)
    if booked is None or booked.status == "failed":
        return "ignored_refund_not_booked"
    return "flagged_refund_failed"


async def _paid(conn: asyncpg.Connection, payment: Payment, event: PaymentEvent,
                payment_settings: PaymentSettings) -> str:
    if payment.status in PAID_STATUSES or payment.status == "review":
        return "already_settled"
    if event.amount is not None and event.amount != payment.amount:
        await repo.update_payment_state(
            conn, payment.id, status="review", amount_received=event.amount, payment_intent=event.payment_intent,
            review_reason=f"Stripe collected {event.amount}, the order asked for {payment.amount}")
        return "flagged_amount_mismatch"
    outcome = await mark_paid(conn, payment, payment_settings, amount_received=payment.amount,
                              actor_user_id=SYSTEM, reason=f"paid ({event.provider_type})",
                              payment_intent=event.payment_intent)
    if outcome == "paid" and event.payment_intent:
        # A refund event may have overtaken this one: apply the largest refund total seen for the intent.
        earlier = await repo.get_largest_stripe_refund_seen(conn, event.payment_intent)
        if earlier:
            refreshed = await repo.get_payment(conn, payment.id, for_update=True)
            assert refreshed is not None
            await _refunded(conn, refreshed, earlier, payment_settings)
    return outcome


async def _transfer(conn: asyncpg.Connection, payment: Payment, event: PaymentEvent,
                    payment_settings: PaymentSettings) -> str:
    """Match a bank transfer: exactly the amount pays; less or more goes to a person, never accepted silently."""
    amount = event.amount or 0
    # A settled payment stays settled: later transfers are flagged for a person, never change its status.
    if payment.status in PAID_STATUSES:
        return "flagged_extra_transfer"
    if event.currency and event.currency != payment.currency:
        await repo.update_payment_state(conn, payment.id, status="review",
                                        review_reason=f"transfer in {event.currency}, expected {payment.currency}")
        return "flagged_currency"
    if not _reached_payee_account(payment, event):
        # The code matches but the money went to another account (or the bank does not say which, for a
        # payment to a merchant's own account): a person checks where it really is.
        await repo.update_payment_state(
            conn, payment.id, status="review", amount_received=payment.amount_received + amount,
            review_reason=(f"{amount} reported for account {event.account_number or 'not given'}, "
                           f"expected {payment.bank_account_number}: check where the money is"))
        return "flagged_wrong_account"
    if payment.status not in ("pending", "review"):
        await repo.update_payment_state(
            conn, payment.id, status="review", amount_received=payment.amount_received + amount,
            review_reason=f"{amount} arrived after the payment {payment.status}: refund or restore the order")
        return "flagged_late_transfer"
    received = payment.amount_received + amount
    if received == payment.amount:
        return await mark_paid(conn, payment, payment_settings, amount_received=received, actor_user_id=SYSTEM,
                               reason="bank transfer matched")
    kind = "underpaid" if received < payment.amount else "overpaid"
    await repo.update_payment_state(conn, payment.id, status="review", amount_received=received,
                                    review_reason=f"{kind}: received {received} of {payment.amount}")
    return f"flagged_{kind}"


def _reached_payee_account(payment: Payment, event: PaymentEvent) -> bool:
    """The bank's account number, when given, must be the payment's; a merchant's own account must be named."""
    expected = _account_key(payment.bank_account_number)
    reported = _account_key(event.account_number)
    if reported:
        return reported == expected
    return payment.payee_merchant_id is None


def _account_key(number: str | None) -> str:
    # Banks format account numbers with spaces or dashes now and then.
    return "".join(ch for ch in (number or "") if ch.isascii() and ch.isalnum()).upper()


async def _expired(conn: asyncpg.Connection, payment: Payment) -> str:
    """The provider's session ended unpaid: cancel the orders it alone was collecting for, releasing stock."""
    if payment.status != "pending":
        return "ignored_not_pending"
    await repo.update_payment_state(conn, payment.id, status="expired")
    for link in await repo.list_payment_orders(conn, payment.id):
        order = await orders_repo.get_order_header(conn, link.order_id, for_update=True)
        if order is None or order.status != "pending_payment":
            continue
        others = [p for p in await repo.list_payments_for_order(conn, order.id)
                  if p.id != payment.id and p.status in ("pending", "review")]
        if not others:
            await transition(conn, order.id, "cancelled", SYSTEM, "payment session expired")
    return "expired"


async def _failed(conn: asyncpg.Connection, payment: Payment, event: PaymentEvent) -> str:
    """A declined attempt: Checkout lets the buyer try again, so only the async-method failure ends it."""
    if payment.status != "pending":
        return "ignored_not_pending"
    final = event.provider_type == "checkout.session.async_payment_failed"
    await repo.update_payment_state(conn, payment.id, status="failed" if final else "pending",
                                    last_error=event.provider_type)
    return "failed" if final else "attempt_failed"


async def _refunded(conn: asyncpg.Connection, payment: Payment, total_refunded: int,
                    payment_settings: PaymentSettings) -> str:
    """Stripe reports the cumulative refunded amount: book only what our own refunds do not already cover."""
    if payment.status not in PAID_STATUSES:
        return "ignored_not_paid"
    booked = sum(r.amount for r in await repo.list_refunds_for_payment(conn, payment.id) if r.status != "failed")
    if total_refunded <= booked:
        return "already_booked"
    if total_refunded < payment.amount:
        # Which order the money came from is unknown: the event is listed for a person, and the paid
        # payment keeps its status (it is never sent back to review, where it could be "accepted" again).
        return "flagged_external_partial_refund"
    # A full refund made in Stripe's dashboard: refund every order's remainder.
    attempt = len(await repo.list_refunds_for_payment(conn, payment.id))
    for link in await repo.list_payment_orders(conn, payment.id):
        remaining = link.amount - await repo.sum_refunds_for_order(conn, link.order_id)
        order = await orders_repo.get_order_header(conn, link.order_id, for_update=True)
        if remaining <= 0 or order is None:
            continue
        attempt += 1
        refund = await repo.insert_refund(
            conn, payment_id=payment.id, order_id=order.id, amount=remaining, status="succeeded",
            provider_reference=None, reason="refunded in Stripe", created_by=None,
            idempotency_key=f"refund-payment-{payment.id}-{attempt}")
        await record_refund_entries(conn, order, refund, payment_settings.platform_fee_bps,
                                    collected_by_platform=True)
        if order.status in ("confirmed", "shipped", "delivered", "completed"):
            await transition(conn, order.id, "refunded", SYSTEM, "refunded in Stripe")
    await repo.update_payment_state(conn, payment.id, status="refunded", amount_refunded=total_refunded)
    return "refunded"
