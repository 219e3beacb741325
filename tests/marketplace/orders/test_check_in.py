"""Check-in: a booked experience's ticket is issued when the order is confirmed, mailed with its QR code, and
checked in once by the merchant's side only."""

import re

from marketplace.platform.access import SystemActor
from tests.helpers import csrf_token, make_user, sign_in
from tests.marketplace.factories import buy, make_experience, make_merchant
from tests.marketplace.factories import make_user as make_actor


async def test_the_merchant_checks_a_guest_in_once(pool, client) -> None:
    owner_id = await make_user(pool, "tours@example.test", ["customer"])
    await make_user(pool, "other-shop@example.test", ["customer"])
    async with pool.acquire() as conn, conn.transaction():
        owner = SystemActor(owner_id, frozenset({"customer"}))
        _, merchant = await make_merchant(conn, owner, name="Tour Gốm Bàu Trúc")
        experience = await make_experience(conn, owner, merchant, seats=4)
        other = await conn.fetchval("SELECT id FROM users WHERE email = 'other-shop@example.test'")
        await make_merchant(conn, SystemActor(other, frozenset({"customer"})), name="Shop khác")
        buyer = await make_actor(conn)
        placed = await buy(conn, buyer, experience.variants[0].id, 2)
        code = await conn.fetchval("SELECT code FROM tickets WHERE order_id = $1", placed.order_ids[0])
        ticket_mail = await conn.fetchval("SELECT data FROM notifications WHERE kind = 'booking_ticket'")
    assert [t["code"] for t in ticket_mail["tickets"]] == [code] and ticket_mail["tickets"][0]["guests"] == 2

    await sign_in(client, "other-shop@example.test")
    typed = code.lower().replace("-", " ")
    stranger = await client.post("/vi/merchant/check-in", data={"code": typed, "_csrf_token": await csrf_token(client)})
    assert stranger.status_code == 404

    await sign_in(client, "tours@example.test")
    form = await client.get(f"/en/merchant/check-in?code={code}")
    assert form.status_code == 200 and f'value="{code}"' in form.text
    token = await csrf_token(client, "/en/merchant/check-in")
    first = await client.post("/en/merchant/check-in", data={"code": typed, "_csrf_token": token})
    assert first.status_code == 200 and 'id="checked-in"' in first.text and "2 guests" in first.text
    second = await client.post("/en/merchant/check-in", data={"code": code, "_csrf_token": token})
    assert second.status_code == 409 and "already used" in second.text
    # When it was used, in the locale's own format, not the ISO text the API's details carry.
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", second.text)
    assert re.search(r"\(\w{3} \d{1,2}, \d{4}, \d{1,2}:\d\d:\d\d\u202f[AP]M\)", second.text)
    unknown = await client.post("/en/merchant/check-in", data={"code": "AAAAA-AAAAA", "_csrf_token": token})
    assert unknown.status_code == 404


async def test_dashboards_count_waiting_orders_and_unread_notifications(pool, client) -> None:
    owner_id = await make_user(pool, "counts@example.test", ["merchant"])
    async with pool.acquire() as conn, conn.transaction():
        owner = SystemActor(owner_id, frozenset({"merchant"}))
        _, merchant = await make_merchant(conn, owner, name="Nhà vườn")
        experience = await make_experience(conn, owner, merchant, seats=4)
        buyer = await make_actor(conn)
        await buy(conn, buyer, experience.variants[0].id, 1)
        await buy(conn, buyer, experience.variants[0].id, 1)
    await sign_in(client, "counts@example.test")
    home = await client.get("/en/merchant")
    assert home.status_code == 200
    # Two orders to prepare; unread: the shop's approval and two "cash to collect" notices.
    assert "2 orders waiting" in home.text and "3 unread notifications" in home.text
    inbox = await client.get("/en/notifications")
    assert inbox.text.count('class="unread"') == 3
    await client.post("/en/notifications/read", data={"_csrf_token": await csrf_token(client, "/en/notifications")})
    assert "0 unread notifications" in (await client.get("/en/merchant")).text
