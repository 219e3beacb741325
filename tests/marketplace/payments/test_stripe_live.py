"""Against Stripe's real test mode: runs only where STRIPE_SECRET_KEY is a test key (sk_test_...)."""

import os
import uuid

import pytest

from marketplace.payments.providers.protocol import PaymentRequest, PaymentStatus
from marketplace.payments.providers.stripe import StripeProvider

LIVE_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
pytestmark = pytest.mark.skipif(not LIVE_KEY.startswith("sk_test_"),
                                reason="the live Stripe suite needs STRIPE_SECRET_KEY=sk_test_... (test mode only)")


async def test_checkout_session_in_test_mode() -> None:
    provider = StripeProvider(LIVE_KEY, os.environ.get("STRIPE_WEBHOOK_SECRET", "whsec_unused"))
    key = f"live-suite-{uuid.uuid4()}"
    request = PaymentRequest(order_id=1, order_code="NTM000001", amount=150_000, currency="VND",
                             description="Ninh Thuan grapes (live test)", idempotency_key=key, locale="vi",
                             success_url="https://example.com/paid", cancel_url="https://example.com/cancel")
    started = await provider.start(request)
    assert started.provider_reference and started.provider_reference.startswith("cs_test_")
    assert started.redirect_url and started.redirect_url.startswith("https://")
    # The same idempotency key returns the same session instead of a second one.
    again = await provider.start(request)
    assert again.provider_reference == started.provider_reference
    assert await provider.fetch_status(started.provider_reference) == PaymentStatus.PENDING
