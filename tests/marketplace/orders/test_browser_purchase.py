"""A whole purchase with cash on delivery in real Chromium: search, product, cart, sign-up, checkout, fulfilment."""

from typing import Any

import asyncpg
import pytest

from marketplace import composition
from marketplace.demo import DEMO_PASSWORD, seed_marketplace_demo
from search import admin, create_engine
from tests.browser import screenshot

pytestmark = pytest.mark.browser


async def seed_and_index(pool: asyncpg.Pool, settings: Any) -> None:
    async with pool.acquire() as conn, conn.transaction():
        await seed_marketplace_demo(conn)
    engine = create_engine(settings, pool)
    await engine.setup()
    try:
        await admin.reindex(pool, engine, composition.document_sources())
    finally:
        await engine.close()


@pytest.mark.parametrize("locale", ["vi", "ar"])
async def test_cod_purchase_from_search_to_delivery(live_server: Any, browser: Any, chromium: Any,
                                                    pool: asyncpg.Pool, locale: str) -> None:
    await seed_and_index(pool, live_server.settings)
    base = live_server.url
    page = await browser.new_page()
    # A visitor searches without diacritics and finds the grapes.
    await page.goto(f"{base}/{locale}/search?q=nho+do+ninh+thuan")
    async with page.expect_navigation():
        await page.click("a.hit-title[href*='/products/nho-do-ninh-thuan']")
    assert f"/{locale}/products/nho-do-ninh-thuan" in page.url
    assert await page.locator("script[type='application/ld+json']").count() == 1
    async with page.expect_navigation():
        await page.click("form.add-to-cart button[type=submit] >> nth=0")
    assert page.url.endswith(f"/{locale}/cart")
    # The cart shows the product in the visitor's language (Arabic has its own demo name).
    assert ("عنب نينه ثوان الأحمر" if locale == "ar" else "Nho đỏ Ninh Thuận") in await page.inner_text("main")
    # Checkout asks to sign in; the new visitor signs up and the cart follows them.
    async with page.expect_navigation():
        await page.click("a.button[href$='/checkout']")
    assert "/account/sign-in" in page.url
    await page.goto(f"{base}/{locale}/account/sign-up")
    await page.fill("#display_name", "Lan Tourist")
    await page.fill("#email", f"lan-{locale}@example.test")
    await page.fill("#password", "a long enough password")
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    await page.goto(f"{base}/{locale}/checkout")
    await page.fill("#contact_phone", "0901 234 567")
    await page.select_option("#commune_code", label="Phường Phan Rang")
    await page.fill("#address_line", "12 Đường 16 Tháng 4")
    await page.check("input[name=payment_method][value=cod]")
    await screenshot(page, f"marketplace-checkout-{locale}")
    async with page.expect_navigation():
        await page.click("form.checkout button[type=submit]")
    assert f"/{locale}/orders?checkout=" in page.url, await page.inner_text("main")
    async with page.expect_navigation():
        await page.click(f"section.notice a[href*='/{locale}/orders/']")
    order_id = int(page.url.rsplit("/", 1)[1])
    assert await page.locator("h1 .status-confirmed").count() == 1
    await screenshot(page, f"marketplace-order-{locale}")
    # The grape cooperative fulfils it from its dashboard, in its own browser (own cookies).
    merchant_context = await chromium.new_context(timezone_id="Asia/Ho_Chi_Minh")
    merchant = await merchant_context.new_page()
    await merchant.goto(f"{base}/{locale}/account/sign-in")
    await merchant.fill("#email", "merchant1@demo.test")
    await merchant.fill("#password", DEMO_PASSWORD)
    async with merchant.expect_navigation():
        await merchant.click("main form button[type=submit]")
    await merchant.goto(f"{base}/{locale}/merchant")
    async with merchant.expect_navigation():
        await merchant.click("ul.merchant-list a >> nth=0")
    async with merchant.expect_navigation():
        await merchant.click(f"a[href$='/{locale}/orders/{order_id}']")
    for status in ("shipped", "delivered"):
        async with merchant.expect_navigation():
            await merchant.click(f"form:has(input[name=status][value={status}]) button")
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_id) == "delivered"
    await merchant_context.close()
    # The buyer sees the delivered order and may now confirm receipt.
    await page.reload()
    assert await page.locator("h1 .status-delivered").count() == 1
    assert await page.locator("input[name=status][value=completed]").count() == 1
