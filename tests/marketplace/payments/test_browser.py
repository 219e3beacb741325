"""A buyer pays demo orders by card (up to Stripe's page, then a signed webhook), by VietQR and in cash,
in real Chromium with JavaScript off; the merchant records the cash and reads what it is owed."""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

import marketplace.app
from marketplace.accounts import service as accounts
from marketplace.payments.dependencies import PAYMENT_SETTINGS_STATE_KEY
from marketplace.payments.providers.bank_transfer import sign_bank_notification
from marketplace.payments.settings import PaymentSettings
from marketplace.platform.access import SystemActor
from marketplace.platform.settings import load_settings
from tests.browser import screenshot, serve_app
from tests.marketplace.payments.conftest import BANK_SECRET, PLATFORM_BANK
from tests.marketplace.payments.factories import buy, make_merchant, make_variant
from tests.marketplace.payments.stripe_standin import SECRET_KEY, WEBHOOK_SECRET, StripeStandIn, signed_event

pytestmark = pytest.mark.browser
PASSWORD = "mật khẩu thử nghiệm dài"


@pytest.fixture
def shop(db_uri: str, tmp_path: Path, standin: StripeStandIn, payment_settings: PaymentSettings) -> Iterator[str]:
    """The real app over HTTP with Stripe pointed at the stand-in."""
    settings = load_settings({
        "DATABASE_URL": db_uri, "SECRET_KEY": "browser-secret-key-that-is-long-enough-0123",
        "DATA_DIR": str(tmp_path / "data"), "RUN_INDEXER": "false",
        "STRIPE_SECRET_KEY": SECRET_KEY, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
    })
    app = marketplace.app.create_app(settings)
    app.state[PAYMENT_SETTINGS_STATE_KEY] = payment_settings
    server = serve_app(app)
    try:
        yield next(server)
    finally:
        server.close()


async def person(conn: asyncpg.Connection, email: str, *roles: str) -> SystemActor:
    user = await accounts.create_user(conn, email=email, password=PASSWORD, roles=list(roles),
                                      display_name=email.split("@")[0])
    return SystemActor(user.id, frozenset(roles))


async def sign_in(chromium: Any, base: str, email: str, locale: str = "vi-VN") -> Any:
    context = await chromium.new_context(locale=locale, timezone_id="Asia/Ho_Chi_Minh", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = await context.new_page()
    await page.goto(f"{base}/vi/account/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.click("main button[type=submit]")
    return context, page


async def test_pay_by_each_method(shop: str, chromium: Any, pool: asyncpg.Pool, standin: StripeStandIn) -> None:
    async with pool.acquire() as conn, conn.transaction():
        buyer = await person(conn, "lan@example.vn", "customer")
        owner = await person(conn, "nho@example.vn", "merchant")
        _, merchant_id = await make_merchant(conn, "HTX Nho Thái An")
        await conn.execute("UPDATE merchants SET owner_user_id = $1 WHERE id = $2", owner.user_id, merchant_id)
        variant_id = await make_variant(conn, owner, merchant_id, price=85_000, stock=20)
        by_card = await buy(conn, buyer, [(variant_id, 2)], payment_method="stripe")
        by_transfer = await buy(conn, buyer, [(variant_id, 1)], payment_method="vietqr")
        in_cash = await buy(conn, buyer, [(variant_id, 3)], payment_method="cod")

    context, page = await sign_in(chromium, shop, "lan@example.vn")
    try:
        # Card: our page, then Stripe's hosted page (the stand-in), then Stripe's signed webhook.
        await page.goto(f"{shop}/vi/payments/checkouts/{by_card.checkout_id}")
        async with page.expect_navigation():
            await page.click("#pay-by-card")
        assert page.url.startswith(standin.url + "/pay/cs_test_standin_")
        assert await page.title() == "Stripe stand-in checkout"
        session = standin.complete(page.url.rsplit("/", 1)[1])
        body, headers = signed_event("checkout.session.completed", session)
        async with httpx.AsyncClient() as http:
            delivered = await http.post(f"{shop}/api/v1/payments/stripe/webhook", content=body, headers=headers)
        assert delivered.status_code == 200, delivered.text
        await page.goto(f"{shop}/vi/payments/checkouts/{by_card.checkout_id}")
        assert await page.locator(".status-paid").count() == 1

        # VietQR: the QR code and the same details as text; the bank's signed notification pays it.
        await page.goto(f"{shop}/vi/payments/checkouts/{by_transfer.checkout_id}")
        assert await page.locator("figure.qr svg").count() == 1
        details = await page.inner_text("dl.pay-details")
        assert PLATFORM_BANK.account_number in details and "85.000" in details
        code = (await page.inner_text("dl.pay-details code >> nth=1")).strip()
        await screenshot(page, "payments-vietqr-vi")
        notification = json.dumps({"id": "FT26112400001", "amount": 85_000, "description": f"{code} nho"}).encode()
        moment = int(time.time())
        async with httpx.AsyncClient() as http:
            received = await http.post(f"{shop}/api/v1/payments/bank/webhook", content=notification, headers={
                "content-type": "application/json", "x-bank-timestamp": str(moment),
                "x-bank-signature": sign_bank_notification(BANK_SECRET, notification, moment)})
        assert received.json()["outcome"] == "paid"
        await page.reload()
        assert await page.locator(".status-paid").count() == 1

        # Cash: confirmed at checkout, nothing to pay online.
        await page.goto(f"{shop}/vi/payments/checkouts/{in_cash.checkout_id}")
        assert await page.locator(".status-pending").count() == 1
    finally:
        await context.close()

    context, page = await sign_in(chromium, shop, "nho@example.vn")
    try:
        await page.goto(f"{shop}/vi/payments/orders/{in_cash.order_ids[0]}")
        async with page.expect_navigation():
            await page.click("#cash-collected")
        assert await page.locator(".status-paid").count() == 1
        await page.goto(f"{shop}/vi/payments/merchants/{merchant_id}/statement")
        # Card and platform transfer collected 255,000 for the merchant, less 5% fees on all three orders.
        assert 170_000 + 85_000 - 8_500 - 4_250 - 12_750 == 229_500
        assert (await page.inner_text("#balance")).replace("\u00a0", " ") == "229.500 ₫"
        await screenshot(page, "payments-statement-vi")
    finally:
        await context.close()


async def test_vietqr_page_right_to_left(shop: str, chromium: Any, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await person(conn, "ahmed@example.com", "customer")
        buyer_id = await conn.fetchval("SELECT id FROM users WHERE email = 'ahmed@example.com'")
        owner, merchant_id = await make_merchant(conn)
        variant_id = await make_variant(conn, owner, merchant_id)
        placed = await buy(conn, SystemActor(buyer_id, frozenset({"customer"})), [(variant_id, 1)],
                           payment_method="vietqr")
    context, page = await sign_in(chromium, shop, "ahmed@example.com", locale="ar")
    try:
        await page.goto(f"{shop}/ar/payments/checkouts/{placed.checkout_id}")
        assert await page.get_attribute("html", "dir") == "rtl"
        assert await page.locator("figure.qr svg").count() == 1
        await screenshot(page, "payments-vietqr-ar")
    finally:
        await context.close()
