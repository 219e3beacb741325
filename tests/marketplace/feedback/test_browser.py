"""In real Chromium with JavaScript off: a tourist reports a problem from an attraction page (in Arabic, right to
left, with a photo) and follows it through its private link; the commune's official resolves it with a reply
(in Vietnamese), which the tourist then reads on the same private page."""

import re
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from marketplace.platform.access import SystemActor
from marketplace.province import service as province
from marketplace.province.models import OfficialGrant
from tests.browser import LiveServer, screenshot
from tests.helpers import PASSWORD, make_user
from tests.marketplace.factories import COMMUNE
from tests.marketplace.feedback.test_pages_and_api import jpeg
from tests.marketplace.feedback.test_routing import make_attraction

pytestmark = pytest.mark.browser
REPLY = "Đã dọn sạch rác ở cổng tháp sáng nay. Cảm ơn bạn!"


async def test_a_tourist_reports_and_follows_it_and_an_official_resolves_it(
        live_server: LiveServer, chromium: Any, pool: asyncpg.Pool, tmp_path: Path) -> None:
    async with pool.acquire() as connection:
        await make_attraction(connection)
    await make_user(pool, "xa@example.vn", ["customer"])
    async with pool.acquire() as connection:
        await province.grant_official(connection, SystemActor(None, frozenset({"admin"})),
                                      OfficialGrant("xa@example.vn", COMMUNE))
    photo = tmp_path / "rac.jpg"
    photo.write_bytes(jpeg())

    tourist = await chromium.new_context(locale="ar", java_script_enabled=False, timezone_id="Asia/Ho_Chi_Minh")
    official = await chromium.new_context(locale="vi-VN", java_script_enabled=False, timezone_id="Asia/Ho_Chi_Minh")
    try:
        page = await tourist.new_page()
        await page.goto(f"{live_server.url}/ar/attractions/thap-po-klong-garai")
        async with page.expect_navigation():
            await page.click("#report-problem")
        assert await page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
        await page.check("input[name=category][value=cleanliness]")
        await page.fill("#body", "Rác ở cổng tháp — trash at the gate")
        await page.set_input_files("#photo", str(photo))
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        private_url = page.url
        assert re.search(r"/ar/feedback/[A-Za-z0-9_-]{32}\?new=1$", private_url)
        assert await page.locator(".fb-notice").is_visible()
        assert await page.locator("[aria-current=step]").inner_text() == "تم الاستلام"
        assert await page.locator("img.fb-photo").is_visible()
        assert await page.locator("#fb-reply").count() == 0

        staff = await official.new_page()
        await staff.goto(f"{live_server.url}/vi/account/sign-in")
        await staff.fill("#email", "xa@example.vn")
        await staff.fill("#password", PASSWORD)
        async with staff.expect_navigation():
            await staff.click("main button[type=submit]")
        await staff.goto(f"{live_server.url}/vi/feedback/inbox")
        async with staff.expect_navigation():
            await staff.click("main table tbody a")
        assert "Rác ở cổng tháp" in await staff.inner_text(".fb-body")
        async with staff.expect_navigation():
            await staff.click("text=Nhận xử lý phản ánh này")
        assert await staff.locator("[aria-current=step]").inner_text() == "Đang xử lý"
        await staff.fill("#reply", REPLY)
        async with staff.expect_navigation():
            await staff.click("text=Giải quyết với câu trả lời này")
        assert await staff.locator("[aria-current=step]").inner_text() == "Đã giải quyết"

        await page.goto(private_url.split("?")[0])
        assert await page.locator("#fb-reply").inner_text() == REPLY
        assert await page.locator("[aria-current=step]").inner_text() == "تم الحل"
        await screenshot(page, "feedback-private-page-ar")
    finally:
        await tourist.close()
        await official.close()
