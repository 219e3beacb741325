"""In real Chromium, JavaScript off, in Arabic: an admin registers a receiver, copies the secret shown once, reads
the delivery log and sends an event again; the receiver verifies both deliveries with standardwebhooks."""

from typing import Any

import pytest
from standardwebhooks import Webhook

from marketplace.webhooks.delivery import HttpSender, run_round
from marketplace.webhooks.signing import sealing_key
from search.changes import record_event
from tests.browser import LiveServer, screenshot
from tests.helpers import PASSWORD, make_user
from tests.marketplace.webhooks.receiver import Receiver

pytestmark = pytest.mark.browser


async def test_an_admin_registers_a_receiver_and_sends_an_event_again(live_server: LiveServer, chromium: Any, pool,
                                                                      receiver: Receiver,
                                                                      sender: HttpSender) -> None:
    key = sealing_key(live_server.settings.secret_key)
    await make_user(pool, "admin@hooks.test", ["admin"])
    context = await chromium.new_context(locale="ar", java_script_enabled=False, timezone_id="Asia/Ho_Chi_Minh")
    page = await context.new_page()
    try:
        await page.goto(live_server.url + "/ar/account/sign-in")
        await page.fill("#email", "admin@hooks.test")
        await page.fill("#password", PASSWORD)
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        await page.goto(live_server.url + "/ar/admin/webhooks")
        assert await page.get_attribute("html", "dir") == "rtl"
        await page.fill("#webhook-url", receiver.url)
        await page.fill("#webhook-description", "بوابة المقاطعة")
        await page.check("input[name=event_types][value='attraction.updated']")
        async with page.expect_navigation():
            await page.click("main form button[type=submit]")
        secret = await page.inner_text("#new-secret")
        assert secret.startswith("whsec_")
        await screenshot(page, "webhooks-created-ar")
        await page.goto(live_server.url + "/ar/admin/webhooks")  # the secret is not shown again
        assert secret not in await page.content()

        async with pool.acquire() as connection, connection.transaction():
            await record_event(connection, "attraction.updated", {"id": 1, "slug": "po-klong-garai"})
        await run_round(pool, sender, key)
        async with page.expect_navigation():
            await page.click("main table a")
        assert "HTTP 200" in await page.content()
        async with page.expect_navigation():
            await page.click("form[action*='/resend'] button")
        await run_round(pool, sender, key)
        await page.reload()
        await screenshot(page, "webhooks-log-ar")
        assert len(receiver.requests) == 2
        for request in receiver.requests:
            assert Webhook(secret).verify(request.body, request.headers)["data"]["slug"] == "po-klong-garai"
    finally:
        await context.close()
