"""Payments: Stripe, VietQR bank transfer and cash on delivery behind one PaymentProvider interface."""

from collections.abc import Sequence
from datetime import timedelta

from marketplace.payments.providers.bank_transfer import VietQRProvider
from marketplace.payments.providers.cod import CashOnDeliveryProvider
from marketplace.payments.providers.protocol import (
    BankAccount,
    PaymentMethod,
    PaymentProvider,
    PaymentRequest,
    PaymentStart,
    PaymentStatus,
    RefundResult,
)
from marketplace.payments.providers.stripe import StripeProvider
from marketplace.payments.settings import PaymentSettings, load_payment_settings
from marketplace.platform.settings import Settings

__all__ = [
    "BankAccount",
    "PaymentMethod",
    "PaymentProvider",
    "PaymentRequest",
    "PaymentSettings",
    "PaymentStart",
    "PaymentStatus",
    "RefundResult",
    "available_providers",
    "configured_providers",
    "get_provider",
    "load_payment_settings",
]


def configured_providers(
    settings: Settings, payment_settings: PaymentSettings | None = None
) -> list[PaymentProvider]:
    """Every provider that can work here: Stripe with both keys set, VietQR (to the platform's or merchants'
    own accounts), cash on delivery. Webhooks, refunds and payment pages use these."""
    payments = payment_settings if payment_settings is not None else load_payment_settings()
    expiry = timedelta(minutes=payments.expiry_minutes)
    providers: list[PaymentProvider] = []
    if settings.stripe_secret_key and settings.stripe_webhook_secret:
        providers.append(StripeProvider(settings.stripe_secret_key, settings.stripe_webhook_secret,
                                        api_base=payments.stripe_api_base, expires_after=expiry))
    providers.append(VietQRProvider(webhook_secret=payments.bank_webhook_secret, expires_after=expiry))
    providers.append(CashOnDeliveryProvider())
    return providers


def available_providers(
    settings: Settings, payment_settings: PaymentSettings | None = None
) -> list[PaymentProvider]:
    """The providers a checkout offers, in order: Stripe when its keys are set, VietQR when the platform
    has an account (VIETQR_BANK_BIN/VIETQR_ACCOUNT_NO; for merchants' own accounts see
    `service.offered_methods`), cash on delivery always."""
    payments = payment_settings if payment_settings is not None else load_payment_settings()
    return [provider for provider in configured_providers(settings, payments)
            if provider.method != PaymentMethod.VIETQR or payments.platform_bank is not None]


def get_provider(providers: Sequence[PaymentProvider], method: str) -> PaymentProvider | None:
    """The provider for `method` among the configured ones, or None."""
    return next((provider for provider in providers if provider.method == method), None)
