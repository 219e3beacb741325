"""Feedback over HTTP: the API and the form (CSRF, size limits, a photo through the image pipeline), anonymous
reports limited per client, the private page and the inbox in every locale, and scope on every staff route."""

import io
import re
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from i18n import SUPPORTED_LOCALES
from marketplace.feedback.models import MAX_BODY_CHARS, MAX_PHOTO_BYTES
from marketplace.platform import write_limits
from marketplace.platform.access import SystemActor
from marketplace.platform.ratelimit import RateLimit
from marketplace.province import service as province
from marketplace.province.models import OfficialGrant
from tests.helpers import csrf_token, make_user, sign_in
from tests.marketplace.factories import COMMUNE, make_merchant
from tests.marketplace.feedback.test_routing import OTHER_COMMUNE, make_attraction

ADMIN = SystemActor(None, frozenset({"admin"}))
SLUG = "thap-po-klong-garai"


def jpeg(size: tuple[int, int] = (640, 480)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _from(app: Any, address: list[str]) -> Any:
    """The app as reached from the client address address[0] (the test client has none of its own)."""

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await app({**scope, "client": (address[0], 50000)} if scope["type"] == "http" else scope, receive, send)

    return asgi


async def _official(pool: asyncpg.Pool, email: str, commune: int | None) -> None:
    await make_user(pool, email, ["customer"])
    async with pool.acquire() as connection:
        await province.grant_official(connection, ADMIN, OfficialGrant(email, commune))


@pytest.fixture
async def attraction(pool: asyncpg.Pool) -> str:
    async with pool.acquire() as connection:
        await make_attraction(connection)
    return SLUG


async def _report_by_form(client: AsyncTestClient[Any], **fields: str) -> Any:
    token = await csrf_token(client, f"/vi/feedback/new?attraction={SLUG}")
    data = {"_csrf_token": token, "category": "cleanliness", "body": "Rác ở cổng tháp.", "attraction": SLUG, **fields}
    return await client.post("/vi/feedback/new", data=data, files={"photo": ("p.jpg", jpeg(), "image/jpeg")},
                             follow_redirects=False)


async def test_a_report_through_the_form_with_a_photo_and_its_private_page(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, attraction: str) -> None:
    page = await client.get(f"/vi/attractions/{attraction}")
    assert f'href="/vi/feedback/new?attraction={attraction}"' in page.text
    form = await client.get(f"/en/feedback/new?attraction={attraction}")
    assert form.status_code == 200 and "Po Klong Garai Towers" in form.text and "<script" not in form.text
    sent = await _report_by_form(client)
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    assert re.fullmatch(r"/vi/feedback/[A-Za-z0-9_-]{32}\?new=1", location)
    private = await client.get(location)
    assert private.status_code == 200 and "Rác ở cổng tháp." in private.text
    assert private.headers["cache-control"] == "private, no-store"
    assert private.headers["referrer-policy"] == "no-referrer" and 'name="robots" content="noindex"' in private.text
    photo = re.search(r'<img src="(/media/[^"]+-medium\.webp)"', private.text)
    assert photo, private.text
    image = await client.get(photo.group(1))
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    token = location.split("/")[-1].split("?")[0]
    api_response = await client.get(f"/api/v1/feedback/{token}")
    assert "no-store" in api_response.headers["cache-control"]
    api = api_response.json()
    assert api["status"] == "received" and api["subject"]["vi"] == "Tháp Pô Klông Garai"
    assert (await client.get("/api/v1/feedback/not-a-token")).status_code == 404
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM feedback WHERE token_hash = $1", token.encode()) == 0


async def test_every_shop_page_links_to_the_form_about_it(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        _, shop = await make_merchant(connection, name="Gốm Bàu Trúc")
    page = await client.get(f"/fr/shops/{shop.slug}")
    assert f'href="/fr/feedback/new?shop={shop.slug}"' in page.text
    form = await client.get(f"/fr/feedback/new?shop={shop.slug}")
    assert form.status_code == 200 and "Gốm Bàu Trúc" in form.text
    assert f'<input type="hidden" name="shop" value="{shop.slug}">' in form.text
    assert (await client.get("/fr/feedback/new?shop=khong-co")).status_code == 404


async def test_forms_need_their_csrf_token(client: AsyncTestClient[Any], pool: asyncpg.Pool,
                                           attraction: str) -> None:
    await client.get(f"/vi/feedback/new?attraction={attraction}")  # the CSRF cookie is set, the field is missing
    refused = await client.post("/vi/feedback/new", data={"category": "safety", "body": "x", "attraction": SLUG})
    assert refused.status_code == 403
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM feedback") == 0
    await _official(pool, "xa@example.vn", COMMUNE)
    await sign_in(client, "xa@example.vn")
    created = await client.post("/api/v1/feedback", json={"category": "safety", "body": "Đèn hỏng", "attraction": SLUG})
    assert created.status_code == 201
    async with pool.acquire() as connection:
        feedback_id = await connection.fetchval("SELECT id FROM feedback")
    no_token = await client.post(f"/vi/feedback/inbox/{feedback_id}/resolve", data={"reply": "Đã sửa"})
    assert no_token.status_code == 403
    assert (await client.post(f"/vi/feedback/inbox/{feedback_id}/assign")).status_code == 403


async def test_sizes_are_limited(client: AsyncTestClient[Any], pool: asyncpg.Pool, attraction: str) -> None:
    too_long = await client.post("/api/v1/feedback", json={"category": "other", "body": "x" * (MAX_BODY_CHARS + 1)})
    assert too_long.status_code == 400 and "error" in too_long.json()
    unknown = await client.post("/api/v1/feedback", json={"category": "noise", "body": "x"})
    assert unknown.status_code == 400
    long_form = await _report_by_form(client, body="x" * (MAX_BODY_CHARS + 1))
    assert long_form.status_code == 422 and 'id="body"' in long_form.text
    huge = jpeg()
    huge += b"\0" * (MAX_PHOTO_BYTES + 1 - len(huge))
    token = await csrf_token(client, f"/vi/feedback/new?attraction={SLUG}")
    big_photo = await client.post("/vi/feedback/new", data={
        "_csrf_token": token, "category": "other", "body": "Ảnh lớn", "attraction": SLUG},
        files={"photo": ("big.jpg", huge, "image/jpeg")})
    assert big_photo.status_code == 413 and 'role="alert"' in big_photo.text
    not_an_image = await client.post("/vi/feedback/new", data={
        "_csrf_token": token, "category": "other", "body": "Không phải ảnh", "attraction": SLUG},
        files={"photo": ("x.jpg", b"%PDF-1.4 not an image", "image/jpeg")})
    assert not_an_image.status_code in (415, 422) and 'role="alert"' in not_an_image.text
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM feedback") == 0


async def test_anonymous_reports_are_limited_per_client(app: Any, pool: asyncpg.Pool, attraction: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(write_limits.ANONYMOUS_WRITE_LIMITS, "feedback", RateLimit("test.feedback", 2, 3600))
    address = ["203.0.113.20"]
    body = {"category": "overcharging", "body": "Giá vé gấp đôi", "attraction": SLUG}
    async with AsyncTestClient(app=_from(app, address)) as tourist:
        statuses = [(await tourist.post("/api/v1/feedback", json=body)).status_code for _ in range(3)]
        assert statuses == [201, 201, 429]
        refused = await tourist.post("/api/v1/feedback", json=body)
        assert refused.json()["error"]["code"] == "rate_limited" and int(refused.headers["retry-after"]) > 0
        form = await _report_by_form(tourist)
        assert form.status_code == 429
        address[0] = "203.0.113.21"
        assert (await tourist.post("/api/v1/feedback", json=body)).status_code == 201  # another client
        address[0] = "203.0.113.20"
        await make_user(pool, "khach@example.vn", ["customer"])
        await sign_in(tourist, "khach@example.vn")
        assert (await tourist.post("/api/v1/feedback", json=body)).status_code == 201  # signed in: not limited
    async with pool.acquire() as connection:
        assert await connection.fetchval("SELECT count(*) FROM feedback") == 4


async def test_an_official_of_another_commune_cannot_see_or_change_it(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, attraction: str) -> None:
    created = (await client.post("/api/v1/feedback", json={"category": "safety", "body": "Lan can gãy",
                                                           "attraction": SLUG})).json()
    async with pool.acquire() as connection:
        feedback_id = await connection.fetchval("SELECT id FROM feedback")
    await _official(pool, "khac@example.vn", OTHER_COMMUNE)
    await sign_in(client, "khac@example.vn")
    token = await csrf_token(client, "/vi/feedback/inbox")
    inbox = await client.get("/vi/feedback/inbox")
    assert inbox.status_code == 200 and f"/vi/feedback/inbox/{feedback_id}" not in inbox.text
    assert (await client.get(f"/vi/feedback/inbox/{feedback_id}")).status_code == 404
    assert (await client.get(f"/api/v1/feedback-inbox/{feedback_id}")).status_code == 404
    assert (await client.get("/api/v1/feedback-inbox")).json() == []
    for action, data in (("assign", {}), ("resolve", {"reply": "Không phải việc của tôi"})):
        response = await client.post(f"/vi/feedback/inbox/{feedback_id}/{action}", data={"_csrf_token": token, **data})
        assert response.status_code == 404
    api = await client.post(f"/api/v1/feedback-inbox/{feedback_id}/resolve", json={"reply": "x"})
    assert api.status_code == 404 and api.json()["error"]["code"] == "feedback_not_found"
    assert (await client.get(f"/api/v1/feedback/{created['token']}")).json()["status"] == "received"
    # Someone who is neither an official nor an editor does not reach the inbox at all.
    await make_user(pool, "khach@example.vn", ["customer"])
    await sign_in(client, "khach@example.vn")
    assert (await client.get("/vi/feedback/inbox")).status_code == 403
    assert (await client.get("/api/v1/feedback-inbox")).status_code == 403


async def test_the_official_resolves_it_and_the_reporter_reads_the_reply(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, attraction: str) -> None:
    created = (await client.post("/api/v1/feedback", json={"category": "wrong_information",
                                                           "body": "Giờ mở cửa sai", "attraction": SLUG})).json()
    async with pool.acquire() as connection:
        feedback_id = await connection.fetchval("SELECT id FROM feedback")
    await _official(pool, "xa@example.vn", COMMUNE)
    await sign_in(client, "xa@example.vn")
    token = await csrf_token(client, f"/vi/feedback/inbox/{feedback_id}")
    taken = await client.post(f"/vi/feedback/inbox/{feedback_id}/assign", data={"_csrf_token": token},
                              follow_redirects=False)
    assert taken.status_code == 303
    empty = await client.post(f"/vi/feedback/inbox/{feedback_id}/resolve", data={"_csrf_token": token, "reply": ""})
    assert empty.status_code == 422
    done = await client.post(f"/vi/feedback/inbox/{feedback_id}/resolve",
                             data={"_csrf_token": token, "reply": "Đã sửa giờ mở cửa: 7:00–17:00."},
                             follow_redirects=False)
    assert done.status_code == 303
    again = await client.post(f"/vi/feedback/inbox/{feedback_id}/resolve",
                              data={"_csrf_token": token, "reply": "Lần hai"})
    assert again.status_code == 409
    private = await client.get(f"/vi{created['path']}")
    assert "Đã sửa giờ mở cửa: 7:00–17:00." in private.text and 'aria-current="step">Đã giải quyết' in private.text


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_every_page_in_every_locale(locale: str, client: AsyncTestClient[Any], pool: asyncpg.Pool,
                                          attraction: str) -> None:
    form = await client.get(f"/{locale}/feedback/new?attraction={attraction}")
    spot = await client.get(f"/{locale}/feedback/new")
    created = (await client.post("/api/v1/feedback", json={"category": "other", "body": "Gợi ý: thêm ghế",
                                                           "commune_code": COMMUNE, "locale": locale})).json()
    private = await client.get(f"/{locale}{created['path']}")
    await _official(pool, "xa@example.vn", COMMUNE)
    await sign_in(client, "xa@example.vn")
    inbox = await client.get(f"/{locale}/feedback/inbox")
    async with pool.acquire() as connection:
        feedback_id = await connection.fetchval("SELECT id FROM feedback")
    item = await client.get(f"/{locale}/feedback/inbox/{feedback_id}")
    for response in (form, spot, private, inbox, item):
        assert response.status_code == 200, response.text
        assert f'<html lang="{locale}" dir="{"rtl" if locale == "ar" else "ltr"}">' in response.text
        assert "<script" not in response.text
    assert 'name="commune_code"' in spot.text and 'name="commune_code"' not in form.text
    assert f"/{locale}/feedback/inbox/{feedback_id}" in inbox.text


async def test_a_photo_attached_through_the_api(client: AsyncTestClient[Any], attraction: str) -> None:
    created = (await client.post("/api/v1/feedback", json={"category": "safety", "body": "Bậc thang vỡ",
                                                           "attraction": SLUG})).json()
    token = await csrf_token(client, "/vi/feedback/new")
    headers = {"x-csrftoken": token}
    path = f"/api/v1/feedback/{created['token']}/photo"
    assert (await client.post(path, files={"file": ("p.jpg", jpeg(), "image/jpeg")})).status_code == 403  # CSRF
    huge = jpeg() + b"\0" * MAX_PHOTO_BYTES
    too_large = await client.post(path, files={"file": ("big.jpg", huge, "image/jpeg")}, headers=headers)
    assert too_large.status_code == 413 and too_large.json()["error"]["code"] == "upload_too_large"
    not_image = await client.post(path, files={"file": ("x.jpg", b"%PDF-1.4", "image/jpeg")}, headers=headers)
    assert not_image.status_code == 415
    attached = await client.post(path, files={"file": ("p.jpg", jpeg(), "image/jpeg")}, headers=headers)
    assert attached.status_code == 200, attached.text
    assert attached.json()["photo_urls"]["medium"].endswith("-medium.webp")
    again = await client.post(path, files={"file": ("p.jpg", jpeg(), "image/jpeg")}, headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "photo_not_accepted"
    unknown = await client.post("/api/v1/feedback/nobody-has-this/photo",
                                files={"file": ("p.jpg", jpeg(), "image/jpeg")}, headers=headers)
    assert unknown.status_code == 404
