"""In Chromium with JavaScript off, in Arabic: product cards show their category's drawing with a visible
"Illustration" mark; a merchant uploads a shop photo through the real form and the shop page shows it, decoded,
at its declared size, without the page moving when it loads."""

import io
from typing import Any

import asyncpg
import pytest
from PIL import Image

from i18n import gettext
from tests.browser import screenshot
from tests.helpers import PASSWORD
from tests.marketplace.web_helpers import seed_shop

pytestmark = pytest.mark.browser


async def test_illustrations_and_a_shop_photo_in_arabic_without_javascript(
    live_server: Any, chromium: Any, pool: asyncpg.Pool, tmp_path: Any
) -> None:
    shop = await seed_shop(pool, "browser-gallery@example.test", "Vườn nho Thái An")
    context = await chromium.new_context(java_script_enabled=False, timezone_id="Asia/Ho_Chi_Minh",
                                         viewport={"width": 420, "height": 900})
    context.set_default_timeout(15_000)
    page = await context.new_page()
    base = live_server.url

    await page.goto(f"{base}/ar/products")
    card = page.locator(".card .illus").first
    mark = card.locator(".illus-tag")
    assert await mark.inner_text() == gettext("Illustration", "ar")
    drawing = card.locator("img")
    assert await drawing.evaluate("img => img.complete && img.naturalWidth > 0")
    # Right to left: the mark sits in the drawing's inline-end corner, which is on the left.
    box, mark_box = await drawing.bounding_box(), await mark.bounding_box()
    assert box and mark_box and mark_box["x"] - box["x"] < box["width"] / 2
    await screenshot(page, "marketplace-illustrations-ar")

    photo = tmp_path / "garden.jpg"
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (90, 130, 60)).save(out, format="JPEG")
    photo.write_bytes(out.getvalue())
    await page.goto(f"{base}/ar/account/sign-in")
    await page.fill("#email", shop.owner_email)
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.click("main form button[type=submit]")
    await page.goto(f"{base}/ar/merchant/{shop.merchant_id}/photos")
    await page.set_input_files("#photo-file", str(photo))
    await page.fill("#photo-alt", "كروم العنب في الصباح")
    async with page.expect_navigation():
        await page.click("form[enctype='multipart/form-data'] button[type=submit]")
    assert page.url.endswith(f"/ar/merchant/{shop.merchant_id}/photos")

    await page.goto(f"{base}/ar/shops/{shop.merchant_slug}")
    image = page.locator(".gallery.photos img").first
    assert await image.get_attribute("alt") == "كروم العنب في الصباح"
    assert await image.evaluate("img => img.complete && img.naturalWidth > 0 && img.currentSrc.endsWith('.webp')")
    size = await image.bounding_box()
    assert size and abs(size["width"] / size["height"] - 4 / 3) < 0.02
    await screenshot(page, "marketplace-shop-gallery-ar")
    await context.close()
