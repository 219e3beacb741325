"""Payment settings that the platform Settings does not carry, read from the environment once."""

import os
import re
from collections.abc import Mapping

import msgspec

from marketplace.payments.providers.protocol import BankAccount
from marketplace.platform.settings import SettingsError

__all__ = ["PaymentSettings", "load_payment_settings"]

MAX_FEE_BPS = 10_000


class PaymentSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Expiry, platform fee, the platform's VietQR account and the bank webhook secret."""

    expiry_minutes: int = 30
    """Stripe and VietQR orders unpaid after this many minutes are cancelled, their stock released."""
    platform_fee_bps: int = 500
    """The platform's fee on each order, in basis points (500 = 5%)."""
    platform_bank: BankAccount | None = None
    """The platform's VietQR account, used for merchants that have not configured their own."""
    bank_webhook_secret: str | None = None
    """The HMAC secret shared with the bank (or aggregator) that posts transfer notifications."""
    stripe_api_base: str | None = None
    """Where Stripe's API is reached; None is Stripe itself. Tests point it at a local stand-in."""
    cod_confirm_hours: int = 72
    """Cash-on-delivery orders the merchant has not handed over (shipped) nor been paid for within this many
    hours are cancelled, their stock released (COD_CONFIRM_HOURS)."""


def _int(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(name, f"must be a whole number (got {raw!r})") from None
    if not low <= value <= high:
        raise SettingsError(name, f"must be between {low} and {high} (got {value})")
    return value


def _platform_bank(environ: Mapping[str, str]) -> BankAccount | None:
    bank_bin = environ.get("VIETQR_BANK_BIN", "").strip()
    account = environ.get("VIETQR_ACCOUNT_NO", "").strip()
    if not bank_bin and not account:
        return None
    if not re.fullmatch(r"\d{6}", bank_bin):
        raise SettingsError("VIETQR_BANK_BIN", "must be the bank's 6-digit NAPAS BIN")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account):
        raise SettingsError("VIETQR_ACCOUNT_NO", "must be 1 to 19 letters or digits")
    name = environ.get("VIETQR_ACCOUNT_NAME", "").strip()[:100]
    return BankAccount(bank_bin=bank_bin, account_number=account, account_name=name)


def load_payment_settings(environ: Mapping[str, str] | None = None) -> PaymentSettings:
    """Read PAYMENT_EXPIRY_MINUTES, PLATFORM_FEE_BPS, VIETQR_*, BANK_WEBHOOK_SECRET and STRIPE_API_BASE."""
    env = os.environ if environ is None else environ
    secret = env.get("BANK_WEBHOOK_SECRET", "").strip() or None
    if secret is not None and len(secret) < 16:
        raise SettingsError("BANK_WEBHOOK_SECRET", "must be at least 16 characters long")
    api_base = env.get("STRIPE_API_BASE", "").strip().rstrip("/") or None
    if api_base is not None and not api_base.startswith(("http://", "https://")):
        raise SettingsError("STRIPE_API_BASE", "must be an http:// or https:// URL")
    return PaymentSettings(
        expiry_minutes=_int(env, "PAYMENT_EXPIRY_MINUTES", 30, 1, 7 * 24 * 60),
        platform_fee_bps=_int(env, "PLATFORM_FEE_BPS", 500, 0, MAX_FEE_BPS),
        platform_bank=_platform_bank(env),
        bank_webhook_secret=secret,
        stripe_api_base=api_base,
        cod_confirm_hours=_int(env, "COD_CONFIRM_HOURS", 72, 1, 30 * 24),
    )
