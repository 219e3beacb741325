"""In real Chromium, JavaScript off: sign up and confirm the address from the mail; forget the password, reset it
from the mail and sign in; a booked experience's ticket mail, and the merchant checking the guest in."""

import re
from typing import Any

import asyncpg
import pytest

from marketplace.notifications.channels import SmtpChannel
from marketplace.notifications.messages import MessageRenderer
from marketplace.notifications.worker import deliver_due
from marketplace.platform.access import SystemActor
from marketplace.platform.templating import create_environment
from tests.browser import LiveServer
from tests.helpers import make_user
from tests.marketplace.factories import buy, make_experience, make_merchant
from tests.marketplace.factories import make_user as make_actor
from tests.marketplace.notifications.mailserver import SmtpServer, body_text

pytestmark = pytest.mark.browser


async def _deliver(pool: asyncpg.Pool, live_server: LiveServer, smtp: SmtpServer) -> None:
    """What the background worker does (it is off in tests), with the live server's public URL in the links."""
    writer = MessageRenderer(create_environment(), base_url=live_server.url, path_prefix="",
                             secret_key=live_server.settings.secret_key)
    await deliver_due(pool, {"email": SmtpChannel(smtp.url, "no-reply@market.example", timeout=5)}, writer)


def _link(text: str) -> str:
    match = re.search(r"http://127\.0\.0\.1:\d+/\S+", text)
    assert match, text
    return match.group(0)


async def test_sign_up_confirm_the_address_forget_the_password_and_reset_it(live_server: LiveServer, chromium: Any,
                                                                           pool, smtp_server) -> None:
    context = await chromium.new_context(locale="en-GB", java_script_enabled=False)
    page = await context.new_page()
    try:
        await page.goto(live_server.url + "/en/account/sign-up")
        await page.fill("#display_name", "Lan")
        await page.fill("#email", "lan@example.vn")
        await page.fill("#password", "first password 1")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        await _deliver(pool, live_server, smtp_server)
        [welcome] = smtp_server.box.to("lan@example.vn")
        await page.goto(_link(body_text(welcome)))
        assert "confirmed" in await page.inner_text("#account-message")

        await page.goto(live_server.url + "/en/account")
        async with page.expect_navigation():
            await page.click("main form button[type=submit]")  # sign out
        await page.goto(live_server.url + "/en/account/sign-in")
        async with page.expect_navigation():
            await page.click("a[href='/en/account/forgot-password']")
        await page.fill("#email", "lan@example.vn")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        await _deliver(pool, live_server, smtp_server)
        reset = smtp_server.box.to("lan@example.vn")[-1]
        assert reset["Subject"] == "Reset your password"
        await page.goto(_link(body_text(reset)))
        await page.fill("#password", "second password 2")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        assert page.url.endswith("/en/account/sign-in?reset=1")
        await page.fill("#email", "lan@example.vn")
        await page.fill("#password", "second password 2")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        assert "Lan" in await page.inner_text("#signed-in-as")
    finally:
        await context.close()


async def test_the_ticket_mail_and_the_merchant_checks_the_guest_in(live_server: LiveServer, chromium: Any,
                                                                    pool, smtp_server) -> None:
    owner_id = await make_user(pool, "pottery@example.vn", ["customer"])
    async with pool.acquire() as conn, conn.transaction():
        owner = SystemActor(owner_id, frozenset({"customer"}))
        _, merchant = await make_merchant(conn, owner, name="Gốm Bàu Trúc")
        experience = await make_experience(conn, owner, merchant)
        buyer = await make_actor(conn)
        await buy(conn, buyer, experience.variants[0].id, 2)
        buyer_email = await conn.fetchval("SELECT email FROM users WHERE id = $1", buyer.user_id)
    await _deliver(pool, live_server, smtp_server)
    [ticket] = [m for m in smtp_server.box.to(buyer_email) if "vé" in m["Subject"].lower()]
    attachments = {part.get_filename() for part in ticket.iter_attachments()}
    assert "booking.ics" in attachments and any(name.endswith(".png") for name in attachments)
    code = re.search(r"[A-Z0-9]{5}-[A-Z0-9]{5}", body_text(ticket)).group(0)  # type: ignore[union-attr]

    context = await chromium.new_context(locale="vi-VN", java_script_enabled=False)
    page = await context.new_page()
    try:
        await page.goto(live_server.url + "/vi/account/sign-in")
        await page.fill("#email", "pottery@example.vn")
        await page.fill("#password", "correct horse battery")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        # What the phone camera opens from the ticket's QR code.
        await page.goto(f"{live_server.url}/vi/merchant/check-in?code={code}")
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        assert await page.locator("#checked-in").count() == 1
        await page.fill("#code", code.lower())  # typed this time, and a second time: refused
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        assert await page.locator("p.error[role=alert]").count() == 1
    finally:
        await context.close()
