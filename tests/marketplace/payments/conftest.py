"""Fixtures for payment tests: the Stripe stand-in, configured providers and payment settings."""

from collections.abc import Iterator

import pytest

from marketplace.payments.providers.bank_transfer import VietQRProvider
from marketplace.payments.providers.cod import CashOnDeliveryProvider
from marketplace.payments.providers.protocol import BankAccount, PaymentProvider
from marketplace.payments.providers.stripe import StripeProvider
from marketplace.payments.settings import PaymentSettings
from tests.marketplace.payments.stripe_standin import SECRET_KEY, WEBHOOK_SECRET, StripeStandIn

BANK_SECRET = "bank-hmac-secret-for-tests-0123456789"
PLATFORM_BANK = BankAccount(bank_bin="970436", account_number="0011001234567", account_name="CONG TY NINH THUAN")


@pytest.fixture
def standin() -> Iterator[StripeStandIn]:
    """A local stand-in for Stripe's API (not Stripe) on 127.0.0.1."""
    with StripeStandIn() as server:
        yield server


@pytest.fixture
def payment_settings(standin: StripeStandIn) -> PaymentSettings:
    return PaymentSettings(expiry_minutes=30, platform_fee_bps=500, platform_bank=PLATFORM_BANK,
                           bank_webhook_secret=BANK_SECRET, stripe_api_base=standin.url)


@pytest.fixture
def providers(standin: StripeStandIn) -> list[PaymentProvider]:
    return [StripeProvider(SECRET_KEY, WEBHOOK_SECRET, api_base=standin.url),
            VietQRProvider(webhook_secret=BANK_SECRET), CashOnDeliveryProvider()]


# Real Chromium for the browser tests of this package (the fixture lives with the lead's helpers).
from tests.browser import chromium  # noqa: E402, F401
