"""The outbox: written with the event, delivered by real SMTP, retried through an outage, never sent twice,
held and shown to admins when no channel is configured, dead rows shown with their error."""

import asyncio
from datetime import UTC, datetime, timedelta

import asyncpg

from marketplace.notifications import repository
from marketplace.notifications.channels import Channel, GatewayChannel, SmtpChannel
from marketplace.notifications.messages import MessageRenderer
from marketplace.notifications.outbox import enqueue
from marketplace.notifications.worker import MAX_ATTEMPTS, deliver_due
from marketplace.platform.templating import create_environment
from tests.browser import refusing_port
from tests.helpers import make_user, sign_in
from tests.marketplace.factories import buy, make_merchant, make_product
from tests.marketplace.factories import make_user as make_actor
from tests.marketplace.notifications.mailserver import GATEWAY_SECRET, SmtpServer, body_html, body_text

SECRET = "test-secret-key-that-is-long-enough-0123456789"


def renderer() -> MessageRenderer:
    return MessageRenderer(create_environment(), base_url="http://127.0.0.1:8000", path_prefix="", secret_key=SECRET)


def mail(url: str) -> dict[str, Channel]:
    return {"email": SmtpChannel(url, "Chợ Ninh Thuận <no-reply@market.example>", timeout=5)}


async def states(pool: asyncpg.Pool) -> dict[str, int]:
    async with pool.acquire() as conn:
        return await repository.count_by_state(conn)


async def _cod_purchase(pool: asyncpg.Pool) -> tuple[int, str, str]:
    """A cash-on-delivery purchase; the buyer reads Vietnamese, the merchant English. (order id, emails)"""
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant = await make_merchant(conn)
        await conn.execute("UPDATE users SET locale = 'en' WHERE id = $1", owner.user_id)
        product = await make_product(conn, owner, merchant, name="Nho Ba Mọi")
        buyer = await make_actor(conn)
        # The shop's approval is not what these tests are about.
        await conn.execute("DELETE FROM notifications WHERE kind IN ('shop_approved', 'admin_merchant_waiting')")
        placed = await buy(conn, buyer, product.variants[0].id, 2)
        emails = {r["id"]: r["email"] for r in await conn.fetch("SELECT id, email FROM users")}
    return placed.order_ids[0], emails[buyer.user_id], emails[owner.user_id]


async def test_cod_purchase_mails_the_buyer_in_vietnamese_and_the_merchant_in_english(pool, smtp_server) -> None:
    order_id, buyer_email, owner_email = await _cod_purchase(pool)
    assert await deliver_due(pool, mail(smtp_server.url), renderer()) == 2
    [to_buyer] = smtp_server.box.to(buyer_email)
    [to_owner] = smtp_server.box.to(owner_email)
    assert to_buyer["Subject"] == f"Đã nhận đơn hàng #{order_id}"
    assert "Nho Ba Mọi" in body_text(to_buyer) and "Nho Ba Mọi" in body_html(to_buyer)
    assert f"http://127.0.0.1:8000/vi/orders/{order_id}" in body_text(to_buyer)
    assert to_owner["Subject"] == f"New order #{order_id}: cash on delivery"
    assert "100,000" in body_text(to_owner)
    # Transactional mail carries no unsubscribe; every message a stable Message-ID the receiver can dedupe on.
    assert to_buyer["List-Unsubscribe"] is None
    assert to_buyer["Message-ID"].startswith("<notification-") and to_buyer["Message-ID"] != to_owner["Message-ID"]
    assert await states(pool) == {"sent": 2}


async def test_an_smtp_outage_is_retried_and_everything_is_delivered_afterwards(pool) -> None:
    await _cod_purchase(pool)
    await _cod_purchase(pool)
    start = datetime.now(UTC)
    with refusing_port() as port:  # the mail server is down
        assert await deliver_due(pool, mail(f"smtp://127.0.0.1:{port}"), renderer(), now=lambda: start) == 4
        async with pool.acquire() as conn:
            rows = await conn.fetch("SELECT state, attempts, last_error, next_attempt_at FROM notification_deliveries")
        assert {(r["state"], r["attempts"]) for r in rows} == {("pending", 1)}
        assert all(r["last_error"] and r["next_attempt_at"] > start for r in rows)
        # Nothing is due again before its back-off has passed.
        assert await deliver_due(pool, mail(f"smtp://127.0.0.1:{port}"), renderer(), now=lambda: start) == 0
    server = SmtpServer().start()  # back, at its own address (the port above was only ever refusing)
    try:
        later = start + timedelta(minutes=5)
        assert await deliver_due(pool, mail(server.url), renderer(), now=lambda: later) == 4
        assert len(server.box.messages) == 4
    finally:
        server.stop()
    assert await states(pool) == {"sent": 4}


async def test_two_workers_never_send_the_same_notification_twice(pool, smtp_server) -> None:
    async with pool.acquire() as conn, conn.transaction():
        actor = await make_actor(conn)
        for number in range(30):
            await enqueue(conn, "payment_received", user_id=actor.user_id,
                          data={"amount": 1000 + number, "currency": "VND"}, dedupe_key=f"pay:{number}")
    handled = await asyncio.gather(deliver_due(pool, mail(smtp_server.url), renderer()),
                                   deliver_due(pool, mail(smtp_server.url), renderer()))
    assert sum(handled) == 30
    ids = [message["Message-ID"] for message in smtp_server.box.messages]
    assert len(ids) == 30 and len(set(ids)) == 30
    assert await states(pool) == {"sent": 30}


async def test_the_same_event_enqueued_twice_is_one_notification(conn) -> None:
    actor = await make_actor(conn)
    first = await enqueue(conn, "payment_received", user_id=actor.user_id, data={"amount": 1, "currency": "VND"},
                          dedupe_key="payment:77")
    again = await enqueue(conn, "payment_received", user_id=actor.user_id, data={"amount": 1, "currency": "VND"},
                          dedupe_key="payment:77")
    assert first is not None and again is None
    assert await conn.fetchval("SELECT count(*) FROM notification_deliveries WHERE notification_id = $1", first) == 1


async def test_after_the_last_try_the_admin_sees_the_dead_message_and_its_error(pool, client) -> None:
    await make_user(pool, "boss@example.test", ["admin"])
    async with pool.acquire() as conn, conn.transaction():
        actor = await make_actor(conn)
        await enqueue(conn, "payment_received", user_id=actor.user_id, data={"amount": 5000, "currency": "VND"})
    start = datetime.now(UTC)
    with refusing_port() as port:
        down = mail(f"smtp://127.0.0.1:{port}")
        for attempt in range(MAX_ATTEMPTS):
            moment = start + timedelta(hours=2 * attempt)
            await deliver_due(pool, down, renderer(), now=lambda moment=moment: moment)
    assert (await states(pool)).get("dead") == 1
    await sign_in(client, "boss@example.test")
    page = await client.get("/en/admin/outbox?state=dead")
    assert page.status_code == 200
    assert 'data-state="dead"' in page.text and "Connect" in page.text
    assert "Đã nhận thanh toán 5.000" in page.text


async def test_with_no_channel_messages_are_held_and_shown_to_admins_only(pool, client) -> None:
    await make_user(pool, "boss2@example.test", ["admin"])
    await make_user(pool, "someone@example.test", ["customer"])
    order_id, _, _ = await _cod_purchase(pool)
    assert await deliver_due(pool, {}, renderer()) == 2
    assert await states(pool) == {"held": 2}
    await sign_in(client, "someone@example.test")
    assert (await client.get("/vi/admin/outbox")).status_code in (403, 404)
    await sign_in(client, "boss2@example.test")
    page = await client.get("/en/admin/outbox")
    assert page.status_code == 200
    assert f"New order #{order_id}: cash on delivery" in page.text
    assert f"Đã nhận đơn hàng #{order_id}" in page.text


async def test_sms_goes_through_the_gateway_signed(pool, gateway) -> None:
    async with pool.acquire() as conn, conn.transaction():
        actor = await make_actor(conn)
        await conn.execute("UPDATE users SET phone = '+84912345678', phone_verified_at = now(), locale = 'fr' "
                           "WHERE id = $1", actor.user_id)
        await conn.execute("INSERT INTO notification_preferences (user_id, email, sms) VALUES ($1, false, true)",
                           actor.user_id)
        await enqueue(conn, "payment_received", user_id=actor.user_id, data={"amount": 120000, "currency": "VND"})
    wrong = {"sms": GatewayChannel("sms", gateway.url, "not-the-gateway-secret-0000", timeout=5)}
    await deliver_due(pool, wrong, renderer())
    assert gateway.rejected == 1 and gateway.received == []
    later = datetime.now(UTC) + timedelta(minutes=5)
    right = {"sms": GatewayChannel("sms", gateway.url, GATEWAY_SECRET, timeout=5)}
    assert await deliver_due(pool, right, renderer(), now=lambda: later) == 1
    [body] = gateway.received
    assert body["channel"] == "sms" and body["to"] == "+84912345678" and body["locale"] == "fr"
    assert body["idempotency_key"].startswith("notification-") and "120" in body["text"]
    assert await states(pool) == {"sent": 1}
