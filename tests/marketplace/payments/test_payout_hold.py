"""A changed payout account holds money for 72 hours on every path (issue 10: "a change of payout account is
recorded in the audit log, notified to the merchant's contact and holds payouts for 72 hours").

The audit entry, the notice and the refused payout are in tests/marketplace/agents/test_second_person.py. What
was missing: buyers' VietQR transfers went to the new account at once, around the hold (this test failed on
main: the QR named the account set a second before)."""

import asyncpg
import msgspec
import pytest

from marketplace.payments import service
from marketplace.payments.errors import PaymentUnavailable
from marketplace.payments.models import PayoutForm
from marketplace.payments.providers.protocol import BankAccount, PaymentProvider
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.errors import AppError
from tests.marketplace.payments.conftest import PLATFORM_BANK
from tests.marketplace.payments.factories import buy, make_merchant, make_user, make_variant

URL = "http://127.0.0.1:8000/vi/payments/checkouts/1"
NEW_ACCOUNT = BankAccount(bank_bin="970436", account_number="0071009998877", account_name="NGUYEN VAN A")


async def _transfer_for(conn: asyncpg.Connection, providers: list[PaymentProvider],
                        payment_settings: PaymentSettings, owner, merchant_id: int):
    variant_id = await make_variant(conn, owner, merchant_id, price=120_000, stock=4)
    placed = await buy(conn, await make_user(conn), [(variant_id, 1)], payment_method="vietqr")
    [payment] = await service.start_checkout_payments(conn, providers, payment_settings, placed.checkout_id,
                                                      locale="vi", return_url=URL, cancel_url=URL)
    return payment


async def test_transfers_and_payouts_wait_72_hours_after_an_account_change(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    owner, merchant_id = await make_merchant(conn)
    admin = await make_user(conn, "admin")
    await service.set_bank_account(conn, owner, merchant_id, NEW_ACCOUNT)
    # During the hold: buyers pay the platform's account, never the new one, and no payout is recorded.
    during = await _transfer_for(conn, providers, payment_settings, owner, merchant_id)
    assert (during.payee_merchant_id, during.bank_account_number) == (None, PLATFORM_BANK.account_number)
    assert NEW_ACCOUNT.account_number not in (during.qr_payload or "")
    for method in ("bank_transfer", "cash", "stripe_connect"):
        with pytest.raises(AppError) as refused:
            await service.record_payout(conn, admin, PayoutForm(merchant_id=merchant_id, amount=10_000,
                                                                method=method))
        assert refused.value.code == "payouts_held"
    # 72 hours later the account receives transfers (and payouts go through).
    await conn.execute("UPDATE merchant_bank_accounts SET updated_at = now() - interval '73 hours' "
                       "WHERE merchant_id = $1", merchant_id)
    after = await _transfer_for(conn, providers, payment_settings, owner, merchant_id)
    assert (after.payee_merchant_id, after.bank_account_number) == (merchant_id, NEW_ACCOUNT.account_number)
    assert (await service.record_payout(conn, admin, PayoutForm(merchant_id=merchant_id, amount=10_000))).amount


async def test_without_a_platform_account_vietqr_waits_for_the_hold(
        conn: asyncpg.Connection, providers: list[PaymentProvider], payment_settings: PaymentSettings) -> None:
    no_platform = msgspec.structs.replace(payment_settings, platform_bank=None)
    owner, merchant_id = await make_merchant(conn)
    await service.set_bank_account(conn, owner, merchant_id, NEW_ACCOUNT)
    assert "vietqr" not in await service.offered_methods(conn, providers, no_platform, [merchant_id])
    with pytest.raises(PaymentUnavailable):
        await _transfer_for(conn, providers, no_platform, owner, merchant_id)
    await conn.execute("UPDATE merchant_bank_accounts SET updated_at = now() - interval '73 hours' "
                       "WHERE merchant_id = $1", merchant_id)
    assert "vietqr" in await service.offered_methods(conn, providers, no_platform, [merchant_id])
