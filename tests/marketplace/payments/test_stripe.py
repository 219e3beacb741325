"""Stripe through the local stand-in: Checkout Sessions, signed events applied once, in any order, refunds."""

import time

import asyncpg
import pytest

from marketplace.payments import refunds, service
from marketplace.payments.events import apply_event
from marketplace.payments.providers.protocol import NotificationRejected, PaymentProvider, PaymentStatus, ProviderError
from marketplace.payments.providers.stripe import StripeProvider
from marketplace.payments.settings import PaymentSettings
from tests.marketplace.payments.factories import (
    buy,
    make_merchant,
    make_user,
    make_variant,
    order_status,
    order_transitions,
    stock_of,
)
from tests.marketplace.payments.stripe_standin import WEBHOOK_SECRET, StripeStandIn, signed_event

RETURN = "http://127.0.0.1:8000/vi/payments/checkouts/1"


async def start_stripe_order(conn: asyncpg.Connection, providers: list[PaymentProvider],
                             payment_settings: PaymentSettings, quantity: int = 2):
    owner, merchant_id = await make_merchant(conn)
    variant_id = await make_variant(conn, owner, merchant_id, price=75_000, stock=5)
    buyer = await make_user(conn)
    placed = await buy(conn, buyer, [(variant_id, quantity)], payment_method="stripe")
    payments = await service.start_checkout_payments(conn, providers, payment_settings, placed.checkout_id,
                                                     locale="vi", return_url=RETURN, cancel_url=RETURN)
    return placed, payments[0], variant_id, merchant_id


def stripe(providers: list[PaymentProvider]) -> StripeProvider:
    provider = providers[0]
    assert isinstance(provider, StripeProvider)
    return provider


async def test_start_creates_a_hosted_session_with_an_idempotency_key(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, payment, _, _ = await start_stripe_order(conn, providers, payment_settings)
    assert payment.redirect_url is not None and payment.redirect_url.startswith(standin.url + "/pay/")
    method, path, form, headers = standin.requests[0]
    assert (method, path) == ("POST", "/v1/checkout/sessions")
    assert headers["idempotency-key"] == f"checkout-{placed.checkout_id}-stripe-payee-platform-attempt-1"
    # VND is zero-decimal: 2 x 75,000 plus nothing else is sent as 150000, not 15000000.
    assert form["line_items"]["0"]["price_data"] == {
        "currency": "vnd", "unit_amount": str(placed.total), "product_data": {"name": form["line_items"]["0"][
            "price_data"]["product_data"]["name"]}}
    assert placed.total == 150_000
    assert form["metadata"]["order_code"] == service.payment_code(payment.id)
    # Asking again reuses the open session instead of charging twice.
    again = await service.start_checkout_payments(conn, providers, payment_settings, placed.checkout_id,
                                                   locale="vi", return_url=RETURN, cancel_url=RETURN)
    assert [p.id for p in again] == [payment.id]
    assert len(standin.sessions) == 1


async def test_the_same_event_ten_times_changes_the_order_once(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, payment, _, merchant_id = await start_stripe_order(conn, providers, payment_settings)
    session = standin.complete(payment.provider_reference or "")
    body, headers = signed_event("checkout.session.completed", session, event_id="evt_ten_times")
    outcomes = [await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
                for _ in range(10)]
    assert outcomes[0].outcome == "paid"
    assert [o.duplicate for o in outcomes[1:]] == [True] * 9
    order_id = placed.order_ids[0]
    assert await order_transitions(conn, order_id) == ["pending_payment", "confirmed"]
    sales = await conn.fetchval(
        "SELECT count(*) FROM ledger_entries WHERE merchant_id = $1 AND kind = 'sale'", merchant_id)
    assert sales == 1
    # A different event id for the same completion (Stripe retries carry the same id; this guards the rest).
    body, headers = signed_event("checkout.session.completed", session)
    outcome = await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "already_settled"
    assert await order_transitions(conn, order_id) == ["pending_payment", "confirmed"]


@pytest.mark.parametrize("problem", ["forged", "missing", "stale", "other_secret"])
async def test_unsigned_forged_or_stale_events_are_refused(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn, problem: str) -> None:
    placed, payment, _, _ = await start_stripe_order(conn, providers, payment_settings)
    session = standin.complete(payment.provider_reference or "")
    timestamp = int(time.time()) - 600 if problem == "stale" else None
    secret = "whsec_someone_else" if problem == "other_secret" else WEBHOOK_SECRET
    body, headers = signed_event("checkout.session.completed", session, timestamp=timestamp, secret=secret)
    if problem == "forged":
        body = body.replace(b'"amount_total": 150000', b'"amount_total": 1')
    if problem == "missing":
        headers.pop("stripe-signature")
    with pytest.raises(NotificationRejected):
        stripe(providers).verify_notification(body, headers)
    assert await order_status(conn, placed.order_ids[0]) == "pending_payment"


async def test_events_out_of_order_leave_the_right_final_state(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, payment, _, merchant_id = await start_stripe_order(conn, providers, payment_settings)
    session = standin.complete(payment.provider_reference or "")
    intent = session["payment_intent"]
    provider = stripe(providers)
    deliveries = [
        # The refund overtakes the completion; a failed attempt and the session's expiry arrive last.
        signed_event("charge.refunded", {"id": "ch_1", "object": "charge", "payment_intent": intent,
                                         "amount": 150_000, "amount_refunded": 150_000, "currency": "vnd"}),
        signed_event("checkout.session.completed", session),
        signed_event("payment_intent.payment_failed", {"id": intent, "object": "payment_intent",
                                                       "amount": 150_000, "currency": "vnd"}),
        signed_event("checkout.session.expired", {**session, "status": "expired"}),
    ]
    for body, headers in deliveries:
        await apply_event(conn, provider.verify_notification(body, headers), payment_settings)
    final = await conn.fetchrow("SELECT status, amount_refunded FROM payments WHERE id = $1", payment.id)
    assert (final["status"], final["amount_refunded"]) == ("refunded", 150_000)
    assert await order_transitions(conn, placed.order_ids[0]) == ["pending_payment", "confirmed", "refunded"]
    balance = await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1", merchant_id)
    assert balance == 0


async def test_failed_attempt_then_success_is_paid(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, payment, _, _ = await start_stripe_order(conn, providers, payment_settings)
    session = standin.complete(payment.provider_reference or "")
    provider = stripe(providers)
    for body, headers in (
        signed_event("payment_intent.payment_failed", {"id": session["payment_intent"], "amount": 150_000}),
        signed_event("checkout.session.completed", session),
    ):
        await apply_event(conn, provider.verify_notification(body, headers), payment_settings)
    assert await order_status(conn, placed.order_ids[0]) == "confirmed"


async def test_an_expired_session_releases_stock(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, payment, variant_id, _ = await start_stripe_order(conn, providers, payment_settings, quantity=3)
    assert await stock_of(conn, variant_id) == 2
    session = standin.sessions[payment.provider_reference or ""]
    body, headers = signed_event("checkout.session.expired", {**session, "status": "expired"})
    outcome = await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "expired"
    assert await order_status(conn, placed.order_ids[0]) == "cancelled"
    assert await stock_of(conn, variant_id) == 5
    # Paid after all (a late completion): flagged for a person to refund, the order stays cancelled.
    body, headers = signed_event("checkout.session.completed", standin.complete(session["id"]))
    await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    assert await order_status(conn, placed.order_ids[0]) == "cancelled"
    assert await stock_of(conn, variant_id) == 5


async def test_refund_goes_through_stripe(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, payment, _, merchant_id = await start_stripe_order(conn, providers, payment_settings)
    session = standin.complete(payment.provider_reference or "")
    body, headers = signed_event("checkout.session.completed", session)
    await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    owner = await conn.fetchval("SELECT owner_user_id FROM merchants WHERE id = $1", merchant_id)
    from marketplace.platform.access import SystemActor
    merchant = SystemActor(owner, frozenset({"merchant"}))
    order_id = placed.order_ids[0]
    partial = await refunds.refund_order(conn, providers, merchant, order_id, payment_settings, amount=50_000,
                                         reason="one kg was bruised")
    assert partial.status == "succeeded" and partial.provider_reference == standin.refunds[0]["id"]
    assert standin.refunds[0]["amount"] == 50_000 and standin.refunds[0]["payment_intent"] == session["payment_intent"]
    assert await order_status(conn, order_id) == "confirmed"
    rest = await refunds.refund_order(conn, providers, merchant, order_id, payment_settings)
    assert rest.amount == 100_000
    assert await order_status(conn, order_id) == "refunded"
    # Stripe then reports the cumulative refund: already booked, nothing changes.
    body, headers = signed_event("charge.refunded", {"id": "ch_1", "payment_intent": session["payment_intent"],
                                                     "amount": 150_000, "amount_refunded": 150_000})
    outcome = await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "already_booked"
    balance = await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1", merchant_id)
    assert balance == 0
    with pytest.raises(Exception, match="refund must be between"):
        await refunds.refund_order(conn, providers, merchant, order_id, payment_settings, amount=1)


async def test_status_is_read_from_stripe(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    _, payment, _, _ = await start_stripe_order(conn, providers, payment_settings)
    reference = payment.provider_reference or ""
    assert await stripe(providers).fetch_status(reference) == PaymentStatus.PENDING
    standin.complete(reference)
    assert await stripe(providers).fetch_status(reference) == PaymentStatus.PAID
    with pytest.raises(ProviderError):
        await stripe(providers).fetch_status("cs_test_unknown")


async def test_stripe_unreachable_is_a_clear_error_and_nothing_is_kept(
        conn: asyncpg.Connection, payment_settings: PaymentSettings) -> None:
    from tests.browser import free_port

    owner, merchant_id = await make_merchant(conn)
    variant_id = await make_variant(conn, owner, merchant_id)
    placed = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="stripe")
    unreachable = [StripeProvider("sk_test_x", WEBHOOK_SECRET, api_base=f"http://127.0.0.1:{free_port()}")]
    savepoint = conn.transaction()
    await savepoint.start()
    with pytest.raises(ProviderError) as raised:
        await service.start_checkout_payments(conn, unreachable, payment_settings, placed.checkout_id,
                                              locale="vi", return_url=RETURN, cancel_url=RETURN)
    await savepoint.rollback()
    assert raised.value.status_code == 409
    assert await conn.fetchval("SELECT count(*) FROM payments WHERE checkout_id = $1", placed.checkout_id) == 0
