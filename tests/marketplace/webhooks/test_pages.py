"""The admins' webhook pages: admins only, CSRF on every form, the secret shown once, the delivery log with
"send again", in every locale."""

import re

import asyncpg
import pytest

from i18n.locales import SUPPORTED_LOCALES
from marketplace.webhooks.delivery import HttpSender, run_round
from search.changes import record_event
from tests.helpers import make_user, sign_in
from tests.marketplace.web_helpers import page_csrf
from tests.marketplace.webhooks.receiver import Receiver

FORM = {"url": "http://127.0.0.1:9/hooks", "description": "Cổng thông tin tỉnh",
        "event_types": ["attraction.updated", "feedback.created"]}


async def _signed_in(client, pool: asyncpg.Pool, *roles: str) -> None:
    email = f"{'-'.join(roles)}@hooks.test"
    await make_user(pool, email, list(roles))
    await sign_in(client, email)


async def _create(client, data: dict[str, object]):
    token = await page_csrf(client, "/en/admin/webhooks")
    return await client.post("/en/admin/webhooks", data={**data, "_csrf_token": token})


async def test_only_admins_manage_endpoints(client, pool) -> None:
    anonymous = await client.get("/en/admin/webhooks", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401)
    await _signed_in(client, pool, "editor", "official", "merchant")
    assert (await client.get("/en/admin/webhooks")).status_code == 403
    token = await page_csrf(client, "/en/account")
    refused = await client.post("/en/admin/webhooks", data={**FORM, "_csrf_token": token})
    assert refused.status_code == 403
    for path in ("/en/admin/webhooks/1/active", "/en/admin/webhooks/1/delete",
                 "/en/admin/webhooks/deliveries/1/resend"):
        assert (await client.post(path, data={"_csrf_token": token})).status_code == 403
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM webhook_endpoints") == 0


async def test_forms_need_the_csrf_token(client, pool) -> None:
    await _signed_in(client, pool, "admin")
    await page_csrf(client, "/en/admin/webhooks")
    assert (await client.post("/en/admin/webhooks", data=FORM)).status_code == 403


async def test_the_secret_is_shown_once_and_stored_sealed(client, pool) -> None:
    await _signed_in(client, pool, "admin")
    created = await _create(client, FORM)
    assert created.status_code == 201, created.text
    assert created.headers["cache-control"] == "private, no-store"
    secret = re.search(r'<code id="new-secret" dir="ltr">(whsec_[A-Za-z0-9+/=]+)</code>', created.text).group(1)
    listing = await client.get("/en/admin/webhooks")
    assert listing.status_code == 200 and "Cổng thông tin tỉnh" in listing.text
    assert secret not in listing.text and secret[:10] in listing.text  # only its first characters
    endpoint_id = int(re.search(r'/en/admin/webhooks/(\d+)"', listing.text).group(1))
    detail = await client.get(f"/en/admin/webhooks/{endpoint_id}")
    assert detail.status_code == 200 and secret not in detail.text
    async with pool.acquire() as connection:
        row = await connection.fetchrow("SELECT * FROM webhook_endpoints WHERE id = $1", endpoint_id)
    assert secret.encode() not in bytes(row["secret_sealed"]) and secret not in str(dict(row))
    assert row["event_types"] == ["attraction.updated", "feedback.created"]


async def test_a_resent_form_registers_no_second_endpoint(client, pool) -> None:
    await _signed_in(client, pool, "admin")
    token = await page_csrf(client, "/en/admin/webhooks")
    assert (await client.post("/en/admin/webhooks", data={**FORM, "_csrf_token": token})).status_code == 201
    again = await client.post("/en/admin/webhooks", data={**FORM, "_csrf_token": token})
    assert again.status_code == 409 and "An endpoint with this address exists already." in again.text
    assert 'id="new-secret"' not in again.text
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM webhook_endpoints") == 1


@pytest.mark.parametrize("data,code", [
    ({**FORM, "url": "file:///etc/passwd"}, "Enter an http or https address."),
    ({**FORM, "event_types": []}, "Choose at least one event."),
    ({**FORM, "event_types": ["attraction.renamed"]}, "Unknown event."),
    ({**FORM, "url": "http://x.test/" + "a" * 2100}, "This is too long."),
])
async def test_a_refused_form_says_why_and_keeps_what_was_typed(client, pool, data, code) -> None:
    await _signed_in(client, pool, "admin")
    refused = await _create(client, data)
    assert refused.status_code in (400, 422) and code in refused.text and "Cổng thông tin tỉnh" in refused.text
    assert "whsec_" not in refused.text


async def test_the_delivery_log_and_send_again(client, pool, key) -> None:
    receiver = await Receiver().start()
    sender = HttpSender()
    try:
        receiver.answer = lambda _: 503
        await _signed_in(client, pool, "admin")
        assert (await _create(client, {**FORM, "url": receiver.url})).status_code == 201
        async with pool.acquire() as connection, connection.transaction():
            await record_event(connection, "attraction.updated", {"id": 1, "slug": "po-klong-garai"})
        await run_round(pool, sender, key)
        async with pool.acquire() as connection:
            endpoint_id = await connection.fetchval("SELECT id FROM webhook_endpoints")
            await connection.execute("UPDATE webhook_deliveries SET state = 'failed'")
        log = await client.get(f"/en/admin/webhooks/{endpoint_id}")
        assert log.status_code == 200 and "Attraction updated" in log.text and "HTTP 503" in log.text
        assert "Given up" in log.text
        delivery_id = int(re.search(r'/admin/webhooks/deliveries/(\d+)/resend', log.text).group(1))
        token = await page_csrf(client, f"/en/admin/webhooks/{endpoint_id}")
        assert (await client.post(f"/en/admin/webhooks/deliveries/{delivery_id}/resend")).status_code == 403
        resent = await client.post(f"/en/admin/webhooks/deliveries/{delivery_id}/resend",
                                   data={"_csrf_token": token}, follow_redirects=False)
        assert resent.status_code == 303 and resent.headers["location"].endswith(
            f"/en/admin/webhooks/{endpoint_id}?resent={delivery_id}")
        receiver.answer = lambda _: 200
        await run_round(pool, sender, key)
        assert receiver.statuses == [503, 200]
        log = await client.get(f"/en/admin/webhooks/{endpoint_id}?state=delivered")
        assert "Accepted by the receiver" in log.text and "sent again" in log.text
        paused = await client.post(f"/en/admin/webhooks/{endpoint_id}/active", data={"_csrf_token": token})
        assert paused.status_code == 200 and "Resume" in paused.text
        deleted = await client.post(f"/en/admin/webhooks/{endpoint_id}/delete", data={"_csrf_token": token})
        assert deleted.status_code == 200 and "No endpoint yet." in deleted.text
        assert (await client.get(f"/en/admin/webhooks/{endpoint_id}")).status_code == 404
    finally:
        await sender.close()
        await receiver.stop()


async def test_the_pages_in_every_locale(client, pool) -> None:
    await _signed_in(client, pool, "admin")
    assert (await _create(client, FORM)).status_code == 201
    for locale in SUPPORTED_LOCALES:
        listing = await client.get(f"/{locale}/admin/webhooks")
        assert listing.status_code == 200
        assert f'lang="{locale}"' in listing.text
        assert ('dir="rtl"' in listing.text) == (locale == "ar")
        detail = await client.get(f"/{locale}/admin/webhooks/1")
        assert detail.status_code == 200
    vietnamese = await client.get("/vi/admin/webhooks")
    assert "Thêm điểm nhận" in vietnamese.text  # "Add an endpoint", translated
