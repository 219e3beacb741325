"""The attraction page in real Chromium, in Vietnamese, English and Arabic (right to left), scripts off."""

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
import pytest_asyncio

from i18n import TIME_ZONE
from tests.browser import chromium, screenshot, serve_app  # noqa: F401  (chromium is a fixture used below)
from tourism import clock

NAMES = {
    "vi": "Tháp Pô Klông Garai",
    "en": "Po Klong Garai Cham Towers",
    "ar": "أبراج بو كلونغ غاراي التشامية (Tháp Pô Klông Garai)",
}
# A Monday evening: the towers (07:00-17:00 every day) are closed and say when they open, 07:00 tomorrow.
MONDAY_EVENING = datetime(2026, 11, 23, 20, 30, tzinfo=TIME_ZONE)


@pytest.fixture
def monday_evening(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The pages' clock stopped at MONDAY_EVENING, whatever time the tests run (the server runs in this process)."""
    monkeypatch.setattr(clock, "local_now", lambda: MONDAY_EVENING)
    return MONDAY_EVENING


@pytest.fixture
def tourism_server(app: Any) -> Iterator[str]:
    """The app with tourism's routes served over HTTP (the shared live_server mounts every package)."""
    server = serve_app(app)
    url = next(server)
    try:
        yield url
    finally:
        server.close()


@pytest_asyncio.fixture
async def no_script_context(chromium: Any) -> Any:  # noqa: F811
    context = await chromium.new_context(timezone_id="Asia/Ho_Chi_Minh", java_script_enabled=False)
    context.set_default_timeout(15_000)
    try:
        yield context
    finally:
        await context.close()


@pytest.mark.browser
@pytest.mark.parametrize("locale", ["vi", "en", "ar"])
async def test_attraction_page_in_chromium(
    locale: str, demo, drain, listing, shift, tower, monday_evening, tourism_server: str, no_script_context: Any
) -> None:
    engine = await drain()
    await engine.upsert(
        [
            listing(
                "product",
                "vang-nho",
                {"vi": "Vang nho Ninh Thuận", "en": "Ninh Thuan grape wine", "ar": "نبيذ العنب"},
                shift(tower, 0.4),
                price_min=120000,
            )
        ]
    )
    page = await no_script_context.new_page()
    response = await page.goto(f"{tourism_server}/{locale}/attractions/po-klong-garai?radius=5000")
    assert response is not None and response.status == 200
    assert await page.locator("h1").inner_text() == NAMES[locale]
    assert await page.get_attribute("html", "lang") == locale
    direction = await page.evaluate("getComputedStyle(document.documentElement).direction")
    assert direction == ("rtl" if locale == "ar" else "ltr")
    status = page.locator("#open-status .t-status")
    assert await status.is_visible()
    assert "07:00" in await status.inner_text() or "7:00" in await status.inner_text()
    nearby = page.locator("#nearby")
    wine = {"vi": "Vang nho Ninh Thuận", "en": "Ninh Thuan grape wine", "ar": "نبيذ العنب"}[locale]
    assert await nearby.get_by_text(wine).is_visible()
    await screenshot(page, f"tourism-attraction-{locale}")

    # Save it to a trip with scripts off: a plain form post and redirect back.
    await page.locator(".t-attraction > header form button[type=submit]").click()
    await page.wait_for_url(f"**/{locale}/attractions/po-klong-garai")
    await page.goto(f"{tourism_server}/{locale}/trip")
    assert await page.locator(".t-plan li").count() == 1
    assert NAMES[locale] in await page.locator(".t-plan").inner_text()


@pytest.mark.browser
async def test_near_me_script_fills_in_the_browser_position(demo, drain, tourism_server: str, chromium: Any) -> None:  # noqa: F811
    await drain()
    context = await chromium.new_context(
        timezone_id="Asia/Ho_Chi_Minh",
        geolocation={"latitude": 11.5985, "longitude": 108.9440},
        permissions=["geolocation"],
    )
    try:
        page = await context.new_page()
        await page.goto(f"{tourism_server}/en/nearby")
        button = page.locator(".t-locate")
        assert await button.is_visible()  # revealed by the script; hidden without it
        async with page.expect_navigation():
            await button.click()
        assert "lat=11.5985" in page.url and "lng=108.944" in page.url
        assert await page.locator("#near-attraction").is_visible()
        assert "Po Klong Garai Cham Towers" in await page.locator(".t-near").first.inner_text()
    finally:
        await context.close()
