"""Regression tests for the security review of payments: each failed before its fix."""

import json
import time
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from i18n.forms import FormInvalid, decode_form
from marketplace.orders import repository as orders_repo
from marketplace.payments import refunds, service
from marketplace.payments import repository as repo
from marketplace.payments.errors import PaymentForbidden
from marketplace.payments.events import apply_event
from marketplace.payments.expiry import expire_unpaid_orders
from marketplace.payments.ledger import fee_for
from marketplace.payments.models import PayoutForm, RefundForm
from marketplace.payments.providers.bank_transfer import sign_bank_notification
from marketplace.payments.providers.protocol import BankAccount, NotificationRejected, PaymentProvider, ProviderError
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import SystemActor
from tests.marketplace.payments.conftest import BANK_SECRET, PLATFORM_BANK
from tests.marketplace.payments.factories import buy, make_merchant, make_user, make_variant, order_status
from tests.marketplace.payments.stripe_standin import StripeStandIn, sign_payload, signed_event
from tests.marketplace.payments.test_bank_transfer import notification, start_transfer, vietqr
from tests.marketplace.payments.test_stripe import start_stripe_order, stripe

OWN_ACCOUNT = BankAccount(bank_bin="970422", account_number="0912345678", account_name="NGUYEN VAN B")


def transfer(description: str, amount: int, *, account_number: str | None, currency: str = "VND",
             secret: str = BANK_SECRET) -> tuple[bytes, dict[str, str]]:
    """A signed bank notification, with or without the account the money reached."""
    fields: dict[str, object] = {"id": f"FT{time.time_ns()}", "amount": amount, "description": description,
                                 "currency": currency}
    if account_number is not None:
        fields["account_number"] = account_number
    body = json.dumps(fields).encode()
    moment = int(time.time())
    return body, {"x-bank-timestamp": str(moment), "x-bank-signature": sign_bank_notification(secret, body, moment)}


async def make_agent(conn: asyncpg.Connection, merchant_id: int) -> SystemActor:
    """A community agent currently assisting the merchant (as marketplace.agents records it)."""
    agent = await make_user(conn, "community_agent")
    await conn.execute(
        """INSERT INTO merchant_agents (merchant_id, agent_user_id, consent_given_by, consent_method, consent_at)
           VALUES ($1, $2, 'Nguyễn Thị C', 'in_person_signature', now())""", merchant_id, agent.user_id)
    return agent


async def paid_stripe(conn: asyncpg.Connection, providers: list[PaymentProvider],
                      payment_settings: PaymentSettings, standin: StripeStandIn):
    placed, payment, _, merchant_id = await start_stripe_order(conn, providers, payment_settings)
    session = standin.complete(payment.provider_reference or "")
    body, headers = signed_event("checkout.session.completed", session)
    assert (await apply_event(conn, stripe(providers).verify_notification(body, headers),
                              payment_settings)).outcome == "paid"
    return placed, await repo.get_payment(conn, payment.id), session, merchant_id


# 3. The account a bank notification names must be the payment's account.

async def test_a_transfer_to_another_account_goes_to_review(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings)
    body, headers = transfer(service.payment_code(payment.id), placed.total, account_number="9999999999")
    outcome = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "flagged_wrong_account"
    assert (await repo.get_payment(conn, payment.id)).status == "review"
    assert await order_status(conn, placed.order_ids[0]) == "pending_payment"
    # The platform's own account, written with spaces, pays.
    spaced = " ".join(PLATFORM_BANK.account_number[i:i + 4] for i in range(0, 13, 4))
    _, other, _, _ = await start_transfer(conn, providers, payment_settings)
    body, headers = transfer(service.payment_code(other.id), other.amount, account_number=spaced)
    assert (await apply_event(conn, vietqr(providers).verify_notification(body, headers),
                              payment_settings)).outcome == "paid"


async def test_a_merchant_account_payment_needs_the_account_named(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings, own_account=OWN_ACCOUNT)
    assert payment.payee_merchant_id is not None
    code = service.payment_code(payment.id)
    body, headers = transfer(code, placed.total, account_number=None)
    outcome = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "flagged_wrong_account"
    assert await order_status(conn, placed.order_ids[0]) == "pending_payment"
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings, own_account=OWN_ACCOUNT)
    body, headers = transfer(service.payment_code(payment.id), placed.total,
                             account_number=PLATFORM_BANK.account_number)
    assert (await apply_event(conn, vietqr(providers).verify_notification(body, headers),
                              payment_settings)).outcome == "flagged_wrong_account"
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings, own_account=OWN_ACCOUNT)
    body, headers = transfer(service.payment_code(payment.id), placed.total, account_number="0912345678")
    assert (await apply_event(conn, vietqr(providers).verify_notification(body, headers),
                              payment_settings)).outcome == "paid"


# 4. Assisting agents cannot redirect or give back a merchant's money; cash they record is audited.

async def test_agents_cannot_change_the_bank_account_or_refund(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    owner, merchant_id = await make_merchant(conn)
    agent = await make_agent(conn, merchant_id)
    with pytest.raises(PaymentForbidden):
        await service.set_bank_account(conn, agent, merchant_id, OWN_ACCOUNT)
    assert await repo.get_merchant_bank_account(conn, merchant_id) is None
    variant_id = await make_variant(conn, owner, merchant_id, price=40_000)
    placed = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="cod")
    order_id = placed.order_ids[0]
    # Recording the cash is allowed to the agent, and lands in the agent audit log.
    await service.collect_cash(conn, agent, order_id, payment_settings)
    entries = await conn.fetch("SELECT agent_user_id, action, details FROM agent_audit_log WHERE merchant_id = $1",
                               merchant_id)
    assert [(e["agent_user_id"], e["action"]) for e in entries] == [(agent.user_id, "payments.cash_collected")]
    with pytest.raises(PaymentForbidden):
        await refunds.refund_order(conn, providers, agent, order_id, payment_settings, reason="agent")
    assert await repo.sum_refunds_for_order(conn, order_id) == 0
    # The owner still may do both.
    await service.set_bank_account(conn, owner, merchant_id, OWN_ACCOUNT)
    assert (await refunds.refund_order(conn, providers, owner, order_id, payment_settings)).amount == 40_000


async def test_agents_cannot_confirm_or_settle_transfers(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, owner, _ = await start_transfer(conn, providers, payment_settings, own_account=OWN_ACCOUNT)
    order = await orders_repo.get_order_header(conn, placed.order_ids[0])
    assert order is not None
    agent = await make_agent(conn, order.merchant_id)
    with pytest.raises(PaymentForbidden):
        await service.confirm_transfer(conn, agent, payment.id, payment_settings)
    body, headers = transfer(service.payment_code(payment.id), 1_000, account_number="0912345678")
    assert (await apply_event(conn, vietqr(providers).verify_notification(body, headers),
                              payment_settings)).outcome == "flagged_underpaid"
    for accept in (True, False):
        with pytest.raises(PaymentForbidden):
            await service.resolve_review(conn, agent, payment.id, accept=accept, payment_settings=payment_settings)
    assert (await repo.get_payment(conn, payment.id)).status == "review"
    assert (await service.resolve_review(conn, owner, payment.id, accept=False,
                                         payment_settings=payment_settings)).status == "refunded"


# 5. A failed or cancelled Stripe refund is not booked.

@pytest.mark.parametrize("stripe_status", ["failed", "canceled"])
async def test_a_refused_stripe_refund_is_recorded_failed_and_not_booked(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn, stripe_status: str) -> None:
    placed, payment, _, merchant_id = await paid_stripe(conn, providers, payment_settings, standin)
    owner_id = await repo.get_merchant_owner(conn, merchant_id)
    owner = SystemActor(owner_id, frozenset({"merchant"}))
    standin.refund_status = stripe_status
    with pytest.raises(ProviderError) as raised:
        await refunds.refund_order(conn, providers, owner, placed.order_ids[0], payment_settings, amount=20_000)
    assert raised.value.status_code == 409
    [refund] = await repo.list_refunds_for_payment(conn, payment.id)
    assert (refund.status, refund.amount) == ("failed", 20_000)
    after = await repo.get_payment(conn, payment.id)
    assert (after.status, after.amount_refunded) == ("paid", 0)
    assert await conn.fetchval("SELECT count(*) FROM ledger_entries WHERE kind IN ('refund', 'fee_reversal')"
                               " AND merchant_id = $1", merchant_id) == 0
    assert await order_status(conn, placed.order_ids[0]) == "confirmed"
    # The next try is a new attempt (new idempotency key), and succeeds.
    standin.refund_status = "succeeded"
    again = await refunds.refund_order(conn, providers, owner, placed.order_ids[0], payment_settings, amount=20_000)
    assert again.status == "succeeded"
    assert standin.requests[-1][3]["idempotency-key"] == f"refund-payment-{payment.id}-2"


async def test_a_refund_needing_action_is_pending_and_booked_once(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, payment, session, merchant_id = await paid_stripe(conn, providers, payment_settings, standin)
    owner = SystemActor(await repo.get_merchant_owner(conn, merchant_id), frozenset({"merchant"}))
    standin.refund_status = "requires_action"
    refund = await refunds.refund_order(conn, providers, owner, placed.order_ids[0], payment_settings,
                                        amount=30_000)
    assert refund.status == "pending"
    # Stripe later reports the cumulative refund: nothing more is booked.
    body, headers = signed_event("charge.refunded", {
        "id": "ch_1", "payment_intent": session["payment_intent"], "amount": placed.total,
        "amount_refunded": 30_000, "currency": "vnd"})
    outcome = await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "already_booked"
    assert await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE kind = 'refund' AND merchant_id = $1",
                               merchant_id) == -30_000
    assert (await repo.get_payment(conn, payment.id)).amount_refunded == 30_000
    # It fails at Stripe after all: flagged for a person, listed on the admin page.
    body, headers = signed_event("refund.failed", {
        "id": refund.provider_reference, "object": "refund", "payment_intent": session["payment_intent"],
        "amount": 30_000, "status": "failed", "currency": "vnd"})
    outcome = await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "flagged_refund_failed"
    assert [e["event_id"] for e in await repo.list_flagged_card_events(conn)] == [outcome.event_id]


# 6. A paid payment is never knocked back to review.

async def test_a_transfer_in_another_currency_does_not_reopen_a_paid_payment(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings)
    body, headers = notification(service.payment_code(payment.id), placed.total)
    assert (await apply_event(conn, vietqr(providers).verify_notification(body, headers),
                              payment_settings)).outcome == "paid"
    body, headers = transfer(service.payment_code(payment.id), 5, account_number=None, currency="USD")
    outcome = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "flagged_extra_transfer"
    assert (await repo.get_payment(conn, payment.id)).status == "paid"
    assert outcome.event_id in [e["event_id"] for e in await repo.list_unmatched_events(conn)]


async def test_an_external_partial_refund_is_flagged_not_reviewed(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        standin: StripeStandIn) -> None:
    placed, payment, session, _ = await paid_stripe(conn, providers, payment_settings, standin)
    body, headers = signed_event("charge.refunded", {
        "id": "ch_2", "payment_intent": session["payment_intent"], "amount": placed.total,
        "amount_refunded": 10_000, "currency": "vnd"})
    outcome = await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "flagged_external_partial_refund"
    assert (await repo.get_payment(conn, payment.id)).status == "paid"
    assert outcome.event_id in [e["event_id"] for e in await repo.list_flagged_card_events(conn)]


# 7. The expiry worker leaves orders whose money waits in review.

async def test_expiry_keeps_orders_whose_payment_is_in_review(
        pool: asyncpg.Pool, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    async with pool.acquire() as conn, conn.transaction():
        placed, payment, _, _ = await start_transfer(conn, providers, payment_settings)
        body, headers = notification(service.payment_code(payment.id), 1_000)
        assert (await apply_event(conn, vietqr(providers).verify_notification(body, headers),
                                  payment_settings)).outcome == "flagged_underpaid"
    # Past the order's age limit and the payment's own deadline.
    later = datetime.now(UTC) + timedelta(hours=2)
    assert await expire_unpaid_orders(pool, now=later, expiry_minutes=30) == 0
    async with pool.acquire() as conn:
        assert await order_status(conn, placed.order_ids[0]) == "pending_payment"
        assert (await repo.get_payment(conn, payment.id)).status == "review"


# 9. Bad input is a 4xx, never an exception.

@pytest.mark.parametrize("timestamp", ["²", "1²"])
def test_non_ascii_digit_bank_timestamps_are_rejected(providers: list[PaymentProvider], timestamp: str) -> None:
    body, headers = notification("NTM000001", 1_000)
    headers["x-bank-timestamp"] = timestamp
    with pytest.raises(NotificationRejected):
        vietqr(providers).verify_notification(body, headers)


def test_a_non_ascii_bank_signature_is_rejected(providers: list[PaymentProvider]) -> None:
    body, headers = notification("NTM000001", 1_000)
    headers["x-bank-signature"] = "sha256=é" + headers["x-bank-signature"][8:]
    with pytest.raises(NotificationRejected):
        vietqr(providers).verify_notification(body, headers)


def test_signed_but_malformed_notifications_are_rejected(providers: list[PaymentProvider]) -> None:
    body = b'{"id": "FT1", "amount": 5,'
    moment = int(time.time())
    with pytest.raises(NotificationRejected):
        vietqr(providers).verify_notification(body, {
            "x-bank-timestamp": str(moment), "x-bank-signature": sign_bank_notification(BANK_SECRET, body, moment)})
    with pytest.raises(NotificationRejected):
        stripe(providers).verify_notification(body, {"stripe-signature": sign_payload(body)})


@pytest.mark.parametrize("value", ["²", "1²", "³⁴"])
def test_form_numbers_refuse_digits_that_are_not_decimal(value: str) -> None:
    # str.isdigit() takes "²" while int() refuses it: the one form helper refuses it with a field message.
    for model in (RefundForm, PayoutForm):
        with pytest.raises(FormInvalid) as refused:
            decode_form({"amount": value, "merchant_id": "1"}, model)
        assert refused.value.details["field"] == "amount"


def test_form_numbers_read_decimal_digits_of_any_script() -> None:
    # Arabic-Indic digits (typed on an Arabic keyboard) are decimal digits: read as the same number.
    for model in (RefundForm, PayoutForm):
        assert decode_form({"amount": "٣٠٠٠", "merchant_id": "1"}, model).amount == 3000


# 12. A code is read before whitespace is removed.

@pytest.mark.parametrize(("description", "codes"), [
    ("NTM000042 0912345678", ["NTM000042"]),
    ("CK NTM000042 tu 0912345678", ["NTM000042"]),
    ("MBVCB.1.ntm00 0042 0912345678.CT", ["NTM000042"]),
    ("NTM123456 789", ["NTM123456"]),
    ("NTM1234567", ["NTM1234567"]),
    ("NTM12 tien hang", []),
])
def test_payment_codes_take_their_exact_length(description: str, codes: list[str]) -> None:
    assert service.find_payment_codes(description) == codes


# 13. Fee reversals never give back more than the fee charged.

async def test_partial_refunds_return_exactly_the_fee_charged(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    owner, merchant_id = await make_merchant(conn)
    variant_id = await make_variant(conn, owner, merchant_id, price=50_000)
    placed = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="cod")
    order_id = placed.order_ids[0]
    await service.collect_cash(conn, owner, order_id, payment_settings)
    charged = fee_for(50_000, payment_settings.platform_fee_bps)
    admin = await make_user(conn, "admin")  # an admin's manual refund returns the fee at once (see 14)

    async def returned() -> int:
        return await conn.fetchval("SELECT COALESCE(sum(amount), 0) FROM ledger_entries"
                                   " WHERE kind = 'fee_reversal' AND order_id = $1", order_id)

    await refunds.refund_order(conn, providers, admin, order_id, payment_settings, amount=10)
    await refunds.refund_order(conn, providers, admin, order_id, payment_settings, amount=10)
    assert await returned() == fee_for(20, payment_settings.platform_fee_bps) == 1
    await refunds.refund_order(conn, providers, admin, order_id, payment_settings)
    assert await returned() == charged
    assert await conn.fetchval("SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1", merchant_id) == 0


# 17. Card events never show as unmatched bank transfers.

async def test_unmatched_stripe_events_are_not_listed_as_transfers(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    body, headers = signed_event("checkout.session.completed", {
        "id": "cs_test_nobody", "object": "checkout.session", "payment_status": "paid", "amount_total": 5,
        "currency": "vnd", "payment_intent": "pi_nobody", "metadata": {}}, event_id="evt_nobody")
    outcome = await apply_event(conn, stripe(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "unmatched"
    body, headers = notification("no code here", 7_000, txn="FT-nobody")
    assert (await apply_event(conn, vietqr(providers).verify_notification(body, headers),
                              payment_settings)).outcome == "unmatched"
    assert [e["event_id"] for e in await repo.list_unmatched_events(conn)] == ["FT-nobody"]


# 14. A merchant's manual refund of money it kept returns the fee only after an admin approves.

async def test_manual_refunds_return_the_fee_in_approval_order(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    owner, merchant_id = await make_merchant(conn)
    variant_id = await make_variant(conn, owner, merchant_id, price=50_000)
    placed = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="cod")
    order_id = placed.order_ids[0]
    await service.collect_cash(conn, owner, order_id, payment_settings)
    first = await refunds.refund_order(conn, providers, owner, order_id, payment_settings, amount=10)
    second = await refunds.refund_order(conn, providers, owner, order_id, payment_settings)
    assert first.fee_return_pending and second.fee_return_pending
    assert [r.id for r in await repo.list_refunds_awaiting_fee_approval(conn)] == [first.id, second.id]
    balance = "SELECT sum(amount) FROM ledger_entries WHERE merchant_id = $1"
    assert await conn.fetchval(balance, merchant_id) == -2_500
    admin = await make_user(conn, "admin")
    # Approved in the other order, the fee returned still adds up to exactly the fee charged.
    await refunds.approve_fee_return(conn, admin, second.id, payment_settings)
    await refunds.approve_fee_return(conn, admin, first.id, payment_settings)
    assert await conn.fetchval(balance, merchant_id) == 0
    assert await repo.list_refunds_awaiting_fee_approval(conn) == []


async def test_only_an_admin_records_a_payout_even_through_the_library(conn: asyncpg.Connection) -> None:
    # The routes admit admins only; the service holds the rule for callers that use it as a library.
    owner, merchant_id = await make_merchant(conn)
    data = PayoutForm(merchant_id=merchant_id, amount=10_000)
    with pytest.raises(PaymentForbidden):
        await service.record_payout(conn, owner, data)
    admin = await make_user(conn, "admin")
    payout = await service.record_payout(conn, admin, data)
    assert payout.amount == 10_000
