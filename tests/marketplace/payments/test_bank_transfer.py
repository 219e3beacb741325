"""VietQR bank transfer: the QR for a checkout, signed bank notifications matched by amount and code."""

import json
import time

import asyncpg
import pytest

from marketplace.payments import refunds, service
from marketplace.payments import repository as repo
from marketplace.payments.errors import PaymentForbidden
from marketplace.payments.events import apply_event
from marketplace.payments.providers.bank_transfer import VietQRProvider, sign_bank_notification
from marketplace.payments.providers.protocol import BankAccount, NotificationRejected, PaymentProvider
from marketplace.payments.providers.vietqr import parse_tlv
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import SystemActor
from tests.marketplace.payments.conftest import BANK_SECRET, PLATFORM_BANK
from tests.marketplace.payments.factories import buy, make_merchant, make_user, make_variant, order_status, stock_of

URL = "http://127.0.0.1:8000/vi/payments/checkouts/1"


async def start_transfer(conn: asyncpg.Connection, providers: list[PaymentProvider],
                         payment_settings: PaymentSettings, *, own_account: BankAccount | None = None):
    owner, merchant_id = await make_merchant(conn)
    if own_account is not None:
        await repo.upsert_merchant_bank_account(conn, merchant_id, own_account)
        # Set long enough ago to receive transfers (a new account is held for 72 hours, see test_payout_hold).
        await conn.execute("UPDATE merchant_bank_accounts SET updated_at = now() - interval '73 hours' "
                           "WHERE merchant_id = $1", merchant_id)
    variant_id = await make_variant(conn, owner, merchant_id, price=120_000, stock=4)
    buyer = await make_user(conn)
    placed = await buy(conn, buyer, [(variant_id, 1)], payment_method="vietqr")
    [payment] = await service.start_checkout_payments(conn, providers, payment_settings, placed.checkout_id,
                                                      locale="vi", return_url=URL, cancel_url=URL)
    return placed, payment, owner, variant_id


def notification(description: str, amount: int, *, txn: str | None = None,
                 secret: str = BANK_SECRET, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"id": txn or f"FT{time.time_ns()}", "amount": amount, "description": description,
                       "account_number": PLATFORM_BANK.account_number, "currency": "VND"}).encode()
    moment = int(time.time()) if timestamp is None else timestamp
    return body, {"x-bank-timestamp": str(moment), "x-bank-signature": sign_bank_notification(secret, body, moment)}


def vietqr(providers: list[PaymentProvider]) -> VietQRProvider:
    provider = providers[1]
    assert isinstance(provider, VietQRProvider)
    return provider


async def test_the_qr_carries_account_amount_and_code(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings)
    fields = dict(parse_tlv(payment.qr_payload or ""))
    beneficiary = dict(parse_tlv(dict(parse_tlv(fields["38"]))["01"]))
    assert beneficiary == {"00": PLATFORM_BANK.bank_bin, "01": PLATFORM_BANK.account_number}
    assert fields["54"] == str(placed.total)
    assert parse_tlv(fields["62"]) == [("08", service.payment_code(payment.id))]
    assert payment.payee_merchant_id is None


async def test_a_merchant_account_receives_its_own_orders(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    own = BankAccount(bank_bin="970422", account_number="0912345678", account_name="NGUYEN VAN B")
    _, payment, owner, _ = await start_transfer(conn, providers, payment_settings, own_account=own)
    beneficiary = dict(parse_tlv(dict(parse_tlv(dict(parse_tlv(payment.qr_payload or ""))["38"]))["01"]))
    assert beneficiary == {"00": "970422", "01": "0912345678"}
    # The merchant confirms money that reached its own account.
    confirmed = await service.confirm_transfer(conn, owner, payment.id, payment_settings)
    assert confirmed.status == "paid"


async def test_exact_transfer_pays_the_order(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings)
    code = service.payment_code(payment.id)
    # Banks prepend their own text and may lowercase or split the content.
    body, headers = notification(f"MBVCB.123456.{code[:5].lower()} {code[5:]}.CT tu 0123", placed.total)
    outcome = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "paid"
    assert await order_status(conn, placed.order_ids[0]) == "confirmed"
    replay = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert replay.duplicate


@pytest.mark.parametrize(("delta", "flag"), [(-20_000, "flagged_underpaid"), (5_000, "flagged_overpaid")])
async def test_wrong_amount_is_flagged_not_accepted(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings,
        delta: int, flag: str) -> None:
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings)
    body, headers = notification(service.payment_code(payment.id), placed.total + delta)
    outcome = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == flag
    assert await order_status(conn, placed.order_ids[0]) == "pending_payment"
    flagged = await repo.get_payment(conn, payment.id)
    assert flagged is not None and flagged.status == "review"
    assert flagged.amount_received == placed.total + delta
    assert payment.id in [p.id for p in await repo.list_payments_in_review(conn)]
    # Nothing was credited to the merchant.
    assert await conn.fetchval("SELECT count(*) FROM ledger_entries WHERE order_id = $1", placed.order_ids[0]) == 0


async def test_underpayment_completed_by_a_second_transfer(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings)
    code = service.payment_code(payment.id)
    for amount in (100_000, placed.total - 100_000):
        body, headers = notification(code, amount)
        outcome = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "paid"
    assert await order_status(conn, placed.order_ids[0]) == "confirmed"


async def test_unknown_code_is_kept_for_a_person(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    body, headers = notification("chuyen tien an trua", 50_000, txn="FT-unknown-1")
    outcome = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "unmatched"
    assert "FT-unknown-1" in [row["event_id"] for row in await repo.list_unmatched_events(conn)]


@pytest.mark.parametrize("problem", ["forged", "missing", "stale", "wrong_secret"])
async def test_bad_notifications_are_refused(providers: list[PaymentProvider], problem: str) -> None:
    body, headers = notification("NTM000001", 10_000, secret="another-secret-entirely-000" if problem == "wrong_secret"
                                 else BANK_SECRET, timestamp=int(time.time()) - 900 if problem == "stale" else None)
    if problem == "forged":
        body = body.replace(b"10000", b"99000")
    if problem == "missing":
        headers = {}
    with pytest.raises(NotificationRejected):
        vietqr(providers).verify_notification(body, headers)


async def test_platform_transfers_are_confirmed_by_an_admin_only(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, owner, _ = await start_transfer(conn, providers, payment_settings)
    with pytest.raises(PaymentForbidden):
        await service.confirm_transfer(conn, owner, payment.id, payment_settings)
    admin = await make_user(conn, "admin")
    await service.confirm_transfer(conn, admin, payment.id, payment_settings)
    assert await order_status(conn, placed.order_ids[0]) == "confirmed"


async def test_refund_of_a_transfer_is_recorded_for_a_person(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, owner, variant_id = await start_transfer(conn, providers, payment_settings)
    admin = await make_user(conn, "admin")
    await service.confirm_transfer(conn, admin, payment.id, payment_settings)
    refund = await refunds.refund_order(conn, providers, owner, placed.order_ids[0], payment_settings,
                                        reason="out of season")
    # The platform holds the money and VietQR sends nothing back: queued for an admin to transfer by hand.
    assert (refund.status, refund.amount) == ("queued", placed.total)
    assert await order_status(conn, placed.order_ids[0]) == "refunded"
    # Refunded before shipping: the stock goes back.
    assert await stock_of(conn, variant_id) == 4
    stranger = SystemActor(await conn.fetchval("INSERT INTO users (email) VALUES ('x@example.test') RETURNING id"),
                           frozenset({"merchant"}))
    with pytest.raises(Exception, match="No such merchant"):
        await refunds.refund_order(conn, providers, stranger, placed.order_ids[0], payment_settings)


async def test_a_person_decides_on_flagged_transfers(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    admin = await make_user(conn, "admin")
    short, short_payment, _, _ = await start_transfer(conn, providers, payment_settings)
    body, headers = notification(service.payment_code(short_payment.id), short.total - 1_000)
    await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    accepted = await service.resolve_review(conn, admin, short_payment.id, accept=True,
                                            payment_settings=payment_settings, note="1,000 short, agreed")
    assert accepted.status == "paid"
    assert await order_status(conn, short.order_ids[0]) == "confirmed"

    extra, extra_payment, _, _ = await start_transfer(conn, providers, payment_settings)
    body, headers = notification(service.payment_code(extra_payment.id), extra.total * 2)
    await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    returned = await service.resolve_review(conn, admin, extra_payment.id, accept=False,
                                            payment_settings=payment_settings, note="sent back")
    assert (returned.status, returned.amount_refunded) == ("refunded", extra.total * 2)
    assert await order_status(conn, extra.order_ids[0]) == "pending_payment"


async def test_a_second_transfer_for_a_paid_order_is_listed_for_return(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    placed, payment, _, _ = await start_transfer(conn, providers, payment_settings)
    code = service.payment_code(payment.id)
    for txn in ("FT-first", "FT-second"):
        body, headers = notification(code, placed.total, txn=txn)
        outcome = await apply_event(conn, vietqr(providers).verify_notification(body, headers), payment_settings)
    assert outcome.outcome == "flagged_extra_transfer"
    assert "FT-second" in [row["event_id"] for row in await repo.list_unmatched_events(conn)]
    paid = await repo.get_payment(conn, payment.id)
    assert paid is not None and (paid.status, paid.amount_received) == ("paid", placed.total)
