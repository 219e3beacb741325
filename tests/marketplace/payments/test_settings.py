"""Payment settings from the environment, and which providers are offered."""

import pytest

from marketplace.payments import available_providers, configured_providers
from marketplace.payments.settings import load_payment_settings
from marketplace.platform.settings import SettingsError, load_settings


def test_defaults() -> None:
    payments = load_payment_settings({})
    assert (payments.expiry_minutes, payments.platform_fee_bps) == (30, 500)
    assert payments.platform_bank is None and payments.bank_webhook_secret is None


def test_values_are_read_and_checked() -> None:
    payments = load_payment_settings({"PAYMENT_EXPIRY_MINUTES": "45", "PLATFORM_FEE_BPS": "250",
                                      "VIETQR_BANK_BIN": "970418", "VIETQR_ACCOUNT_NO": "21510001234567",
                                      "VIETQR_ACCOUNT_NAME": "HTX NINH THUAN", "BANK_WEBHOOK_SECRET": "s" * 20})
    assert payments.expiry_minutes == 45 and payments.platform_fee_bps == 250
    assert payments.platform_bank is not None and payments.platform_bank.bank_bin == "970418"


@pytest.mark.parametrize(("variable", "value"), [
    ("PAYMENT_EXPIRY_MINUTES", "0"), ("PAYMENT_EXPIRY_MINUTES", "soon"), ("PLATFORM_FEE_BPS", "10001"),
    ("VIETQR_BANK_BIN", "97"), ("BANK_WEBHOOK_SECRET", "short"), ("STRIPE_API_BASE", "ftp://x"),
])
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    environ = {variable: value}
    if variable == "VIETQR_BANK_BIN":
        environ["VIETQR_ACCOUNT_NO"] = "123"
    with pytest.raises(SettingsError) as raised:
        load_payment_settings(environ)
    assert raised.value.variable == variable


def test_offered_providers(tmp_path) -> None:
    plain = load_settings({"SECRET_KEY": "k" * 40, "DATA_DIR": str(tmp_path)})
    with_stripe = load_settings({"SECRET_KEY": "k" * 40, "DATA_DIR": str(tmp_path),
                                 "STRIPE_SECRET_KEY": "sk_test_x", "STRIPE_WEBHOOK_SECRET": "whsec_x"})
    no_bank = load_payment_settings({})
    bank = load_payment_settings({"VIETQR_BANK_BIN": "970436", "VIETQR_ACCOUNT_NO": "0011001234567"})
    # With no Stripe keys, Stripe is simply not offered.
    assert [p.method for p in available_providers(plain, no_bank)] == ["cod"]
    assert [p.method for p in available_providers(with_stripe, bank)] == ["stripe", "vietqr", "cod"]
    # VietQR still works for merchants' own accounts, so webhooks and refunds keep it.
    assert [p.method for p in configured_providers(plain, no_bank)] == ["vietqr", "cod"]
