"""Sign-up, sign-out and sign-in driven in real Chromium, with JavaScript off like the weakest phone."""

from typing import Any

import pytest

from tests.browser import LiveServer, screenshot

pytestmark = pytest.mark.browser


async def test_sign_up_sign_out_sign_in(live_server: LiveServer, chromium: Any) -> None:
    context = await chromium.new_context(locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh", java_script_enabled=False)
    try:
        page = await context.new_page()
        await page.goto(live_server.url + "/")
        assert page.url.endswith("/vi/")
        assert await page.get_attribute("html", "lang") == "vi"

        await page.click("a[href='/vi/account/sign-up']")
        await page.fill("#display_name", "Nguyễn Thị Lan")
        await page.fill("#email", "lan@example.vn")
        await page.fill("#password", "mật khẩu rất dài")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        assert page.url.endswith("/vi/account")
        assert "Nguyễn Thị Lan" in await page.inner_text("#signed-in-as")
        await screenshot(page, "account-vi")

        async with page.expect_navigation():
            await page.click("main form button[type=submit]")
        assert page.url.endswith("/vi/")
        assert await page.locator("a[href='/vi/account/sign-in']").count() == 1

        await page.goto(live_server.url + "/vi/account/sign-in")
        await page.fill("#email", "lan@example.vn")
        await page.fill("#password", "wrong password!")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        assert await page.locator("p.error[role=alert]").count() == 1
        await page.fill("#password", "mật khẩu rất dài")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        assert page.url.endswith("/vi/account")
        cookies = {c["name"]: c for c in await context.cookies()}
        assert cookies["sid"]["httpOnly"] and cookies["sid"]["sameSite"] == "Lax"
    finally:
        await context.close()


async def test_arabic_pages_are_right_to_left(live_server: LiveServer, chromium: Any) -> None:
    context = await chromium.new_context(locale="ar")
    try:
        page = await context.new_page()
        await page.goto(live_server.url + "/")
        assert page.url.endswith("/ar/")
        assert await page.get_attribute("html", "dir") == "rtl"
        direction = await page.evaluate("getComputedStyle(document.body).direction")
        assert direction == "rtl"
        await screenshot(page, "home-ar")
    finally:
        await context.close()
