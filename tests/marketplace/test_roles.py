"""Agents, approval and dashboards through the real app, in every locale; upload limits over HTTP."""

import io
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from marketplace.agents.service import assign_agent_commune
from marketplace.payments.dependencies import PAYMENT_SETTINGS_STATE_KEY
from marketplace.payments.settings import load_payment_settings
from tests.helpers import make_user
from tests.marketplace.web_helpers import csrf_from, page_csrf, seed_shop, sign_in_as

LOCALES = ("vi", "en", "zh", "ko", "ja", "ru", "fr", "ar")
NINH_PHUOC = 22870
PHAN_RANG = 22759


async def make_agent(pool: asyncpg.Pool, email: str, commune: int) -> int:
    user_id = await make_user(pool, email, ["customer", "community_agent"])
    async with pool.acquire() as conn:
        await assign_agent_commune(conn, user_id, commune)
    return user_id


def assisted_form(token: str, shop_name: str) -> dict[str, str]:
    return {"_csrf_token": token, "producer_name": "Bà Đàng Thị Lý", "producer_phone": "0987222333",
            "shop_name": shop_name, "kind": "household", "commune_code": str(NINH_PHUOC),
            "address": "Làng Bàu Trúc", "consent_given_by": "Đàng Thị Lý", "consent_method": "in_person_signature",
            "consent_at": "2026-11-20T09:30", "consent_note": "Phiếu số 7", "offers_pickup": "1"}


async def test_agent_registers_a_producer_and_manages_only_its_own(client: AsyncTestClient[Any],
                                                                  pool: asyncpg.Pool) -> None:
    await make_agent(pool, "agent@example.test", NINH_PHUOC)
    await make_agent(pool, "other-agent@example.test", NINH_PHUOC)
    independent = await seed_shop(pool, "indep@example.test", "Cửa hàng độc lập")
    await sign_in_as(client, "agent@example.test")
    token = await page_csrf(client, "/vi/agent")
    response = await client.post("/vi/agent/merchants", data=assisted_form(token, "Gốm bà Lý"))
    assert response.status_code == 200, response.text
    merchant_id = int(str(response.url).rsplit("/", 1)[1])
    # The agent adds a product for the producer through the dashboard form...
    response = await client.post(f"/vi/merchant/{merchant_id}/products/new", data={
        "_csrf_token": token, "name_vi": "Bình gốm Bàu Trúc", "category_slug": "pottery", "unit": "piece",
        "price": "350000", "stock": "4"})
    assert response.status_code == 200 and "/merchant/products/" in str(response.url)
    # ... which is in the audit log the producer and admins can read.
    log = (await client.get(f"/api/v1/manage/merchants/{merchant_id}/audit-log")).json()
    assert [entry["action"] for entry in log] == ["product.create", "merchant.register"]
    assert log[1]["details"]["consent_method"] == "in_person_signature"
    assert [m["id"] for m in (await client.get("/api/v1/agent/merchants")).json()] == [merchant_id]
    audit_page = await client.get(f"/vi/merchant/{merchant_id}/audit-log")
    assert "Bà Đàng Thị Lý" in audit_page.text and "Phiếu số 7" in audit_page.text
    # The agent cannot act for a merchant it does not assist: API calls and form posts alike.
    headers = {"x-csrftoken": token}
    for method, path, body in (
        ("GET", f"/api/v1/manage/merchants/{independent.merchant_id}", None),
        ("PUT", f"/api/v1/manage/merchants/{independent.merchant_id}/details", {"story": {"vi": "x"}}),
        ("POST", f"/api/v1/manage/products/{independent.product_id}/unpublish", None),
        ("GET", f"/api/v1/manage/merchants/{independent.merchant_id}/orders", None),
        ("GET", f"/api/v1/manage/merchants/{independent.merchant_id}/audit-log", None),
        ("POST", f"/api/v1/manage/merchants/{independent.merchant_id}/takeover-codes", None),
    ):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, (method, path, response.text)
    for path, data in ((f"/vi/merchant/products/{independent.product_id}/status", {"action": "unpublish"}),
                       (f"/vi/agent/merchants/{independent.merchant_id}/takeover-code", {})):
        assert (await client.post(path, data={**data, "_csrf_token": token})).status_code == 404, path
    # Another agent of the same commune does not see this producer either.
    client.cookies.clear()
    await sign_in_as(client, "other-agent@example.test")
    assert (await client.get("/api/v1/agent/merchants")).json() == []
    assert (await client.get(f"/vi/merchant/{merchant_id}")).status_code == 404


async def test_takeover_with_code_then_approval_by_the_communes_agent(client: AsyncTestClient[Any],
                                                                     pool: asyncpg.Pool) -> None:
    await make_agent(pool, "agent2@example.test", NINH_PHUOC)
    await make_user(pool, "producer@example.test", ["customer"])
    await sign_in_as(client, "agent2@example.test")
    token = await page_csrf(client, "/vi/agent")
    response = await client.post("/vi/agent/merchants", data=assisted_form(token, "Thổ cẩm chị Hằng"))
    merchant_id = int(str(response.url).rsplit("/", 1)[1])
    page = await client.post(f"/vi/agent/merchants/{merchant_id}/takeover-code", data={"_csrf_token": token})
    code = page.text.split('<strong class="code">')[1].split("<")[0]
    queue = await client.get("/vi/admin/merchants")
    assert "Thổ cẩm chị Hằng" in queue.text
    # A second person approves: the agent who registered the producer may not (issue 10, point 8).
    refused = await client.post(f"/vi/admin/merchants/{merchant_id}/review",
                                data={"decision": "approve", "_csrf_token": csrf_from(queue.text)})
    assert refused.status_code == 403
    client.cookies.clear()
    await make_agent(pool, "agent3@example.test", NINH_PHUOC)
    await sign_in_as(client, "agent3@example.test")
    queue = await client.get("/vi/admin/merchants")
    response = await client.post(f"/vi/admin/merchants/{merchant_id}/review",
                                 data={"decision": "approve", "_csrf_token": csrf_from(queue.text)})
    assert response.status_code == 200
    assert (await client.get("/vi/shops/tho-cam-chi-hang")).status_code == 200
    client.cookies.clear()
    await sign_in_as(client, "producer@example.test")
    token = await page_csrf(client, "/vi/merchant/takeover")
    wrong = await client.post("/vi/merchant/takeover", data={"code": "AAAAA-BBBBB", "_csrf_token": token})
    assert wrong.status_code == 404
    response = await client.post("/vi/merchant/takeover", data={"code": code, "_csrf_token": token})
    assert response.status_code == 200 and str(response.url).endswith(f"/vi/merchant/{merchant_id}")
    log = (await client.get(f"/api/v1/manage/merchants/{merchant_id}/audit-log")).json()
    assert log[0]["action"] == "merchant.taken_over"


async def test_approval_is_refused_to_merchants_and_other_communes(client: AsyncTestClient[Any],
                                                                   pool: asyncpg.Pool) -> None:
    await make_agent(pool, "far-agent@example.test", PHAN_RANG)
    await make_user(pool, "self@example.test", ["customer"])
    await sign_in_as(client, "self@example.test")
    merchant = (await client.post("/api/v1/manage/merchants", json={"name": "Tự duyệt", "phone": "0912345678"})).json()
    await client.put(f"/api/v1/manage/merchants/{merchant['id']}/location",
                     json={"commune_code": NINH_PHUOC, "address": "Thôn 1"})
    await client.put(f"/api/v1/manage/merchants/{merchant['id']}/details", json={"delivery_fee": 10000})
    token = await page_csrf(client, "/vi/merchant")
    refused = await client.post(f"/api/v1/admin/merchants/{merchant['id']}/review", json={"approve": True})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "review_forbidden"
    assert (await client.post(f"/vi/admin/merchants/{merchant['id']}/review",
                              data={"decision": "approve", "_csrf_token": token})).status_code == 403
    client.cookies.clear()
    await sign_in_as(client, "far-agent@example.test")
    assert (await client.get("/api/v1/admin/merchants/pending")).json() == []
    refused = await client.post(f"/api/v1/admin/merchants/{merchant['id']}/review", json={"approve": True})
    assert refused.status_code == 403


@pytest.mark.parametrize("locale", LOCALES)
async def test_signed_in_pages_in_every_locale(client: AsyncTestClient[Any], pool: asyncpg.Pool, locale: str) -> None:
    shop = await seed_shop(pool, f"owner-{locale}@example.test", "Mật ong rừng Ninh Sơn")
    await make_agent(pool, f"agent-{locale}@example.test", NINH_PHUOC)
    await sign_in_as(client, shop.owner_email)
    await client.post("/api/v1/cart/items", json={"variant_id": shop.variant_id, "quantity": 1})
    checkout = await client.post("/api/v1/checkout", json={
        "contact_name": "Chủ", "contact_phone": "0901234567", "province_code": 56, "commune_code": PHAN_RANG,
        "address_line": "1 Lê Lợi", "quote_signature": (await client.get("/api/v1/cart")).json()["signature"]})
    order_id = checkout.json()["order_ids"][0]
    await client.post("/api/v1/cart/items", json={"variant_id": shop.variant_id, "quantity": 1})
    for path in ("/cart", "/checkout", "/orders", f"/orders/{order_id}", f"/orders/{order_id}/packing-slip",
                 "/merchant", "/merchant/new", f"/merchant/{shop.merchant_id}", f"/merchant/{shop.merchant_id}/details",
                 f"/merchant/{shop.merchant_id}/location", f"/merchant/{shop.merchant_id}/products/new",
                 f"/merchant/products/{shop.product_id}", f"/merchant/{shop.merchant_id}/audit-log",
                 "/merchant/takeover"):
        response = await client.get(f"/{locale}{path}")
        assert response.status_code == 200, (path, response.text[:300])
        assert f'<html lang="{locale}" dir="{"rtl" if locale == "ar" else "ltr"}">' in response.text
    client.cookies.clear()
    await sign_in_as(client, f"agent-{locale}@example.test")
    for path in ("/agent", "/admin/merchants"):
        assert (await client.get(f"/{locale}{path}")).status_code == 200, path


def png_bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(out, format="PNG", optimize=True)
    return out.getvalue()


async def test_uploads_refused_over_http(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "uploads@example.test", "Gốm")
    await sign_in_as(client, shop.owner_email)
    token = await page_csrf(client, f"/vi/merchant/products/{shop.product_id}")
    path = f"/api/v1/manage/products/{shop.product_id}/images"
    headers = {"x-csrftoken": token}
    bomb = await client.post(path, files={"file": ("bomb.png", png_bomb(), "image/png")}, headers=headers)
    assert bomb.status_code == 413 and bomb.json()["error"]["code"] == "image_too_large_pixels"
    huge = await client.post(path, files={"file": ("big.jpg", b"\xff\xd8" + b"0" * (11 * 1024 * 1024), "image/jpeg")},
                             headers=headers)
    assert huge.status_code == 413
    page = await client.post(f"/vi/merchant/products/{shop.product_id}/images", data={"_csrf_token": token},
                             files={"file": ("notes.txt", b"hello", "text/plain")})
    assert page.status_code == 415
    product = (await client.get(f"/api/v1/manage/products/{shop.product_id}")).json()
    assert product["images"] == []


async def test_online_payment_checkout_goes_to_the_payment_page(client: AsyncTestClient[Any],
                                                                pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "qr@example.test", "Nho xanh")
    await make_user(pool, "qr-buyer@example.test", ["customer"])
    await sign_in_as(client, "qr-buyer@example.test")
    await client.post("/api/v1/cart/items", json={"variant_id": shop.variant_id, "quantity": 1})
    # Without any account to receive transfers, only cash on delivery is offered.
    assert 'value="vietqr"' not in (await client.get("/vi/checkout")).text
    client.app.state[PAYMENT_SETTINGS_STATE_KEY] = load_payment_settings(
        {"VIETQR_BANK_BIN": "970436", "VIETQR_ACCOUNT_NO": "0123456789", "VIETQR_ACCOUNT_NAME": "SAN NINH THUAN"})
    checkout = await client.get("/vi/checkout")
    assert 'value="vietqr"' in checkout.text
    signature = checkout.text.split('name="quote_signature" value="')[1].split('"')[0]
    response = await client.post("/vi/checkout", data={
        "_csrf_token": csrf_from(checkout.text), "quote_signature": signature, "province_code": "56",
        "commune_code": str(PHAN_RANG), "contact_name": "Q", "contact_phone": "0901234567", "address_line": "x",
        "payment_method": "vietqr"}, follow_redirects=False)
    assert response.status_code == 303 and "/vi/payments/checkouts/" in response.headers["location"]
    orders = (await client.get("/api/v1/orders")).json()
    assert orders[0]["status"] == "pending_payment" and orders[0]["payment_method"] == "vietqr"
    order_page = await client.get(f"/vi/orders/{orders[0]['id']}")
    assert f"/vi/payments/checkouts/{orders[0]['checkout_id']}" in order_page.text


async def test_malformed_input_gets_a_4xx_with_a_reason(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "junk@example.test", "Rong sụn")
    await sign_in_as(client, shop.owner_email)
    token = await page_csrf(client, f"/vi/merchant/{shop.merchant_id}")
    forms = (
        ("/vi/cart/add", {"variant_id": "abc", "quantity": "1"}),
        ("/vi/cart/add", {"variant_id": "999999", "quantity": "1"}),
        ("/vi/cart/update", {"variant_id": "1", "quantity": "-x"}),
        ("/vi/checkout", {"province_code": "zz", "commune_code": "1", "contact_phone": "<script>"}),
        (f"/vi/merchant/{shop.merchant_id}/location", {"commune_code": "1", "address": "x y"}),
        (f"/vi/merchant/{shop.merchant_id}/details", {"delivery_fee": "lots", "delivers": "1"}),
        (f"/vi/merchant/{shop.merchant_id}/products/new", {"name_vi": "A", "category_slug": "nope", "price": "1"}),
        (f"/vi/merchant/variants/{shop.variant_id}", {"price": "", "stock": "1"}),
        ("/vi/orders/999999/status", {"status": "shipped"}),
        ("/vi/merchant/new", {"name": "x", "phone": "no"}),
    )
    for path, data in forms:
        response = await client.post(path, data={**data, "_csrf_token": token})
        assert 400 <= response.status_code < 500, (path, response.status_code, response.text[:200])
    assert (await client.get("/vi/checkout?province_code=abc")).status_code == 200
    bad_json = await client.post("/api/v1/checkout", json={"contact_name": ""})
    assert bad_json.status_code == 400 and bad_json.json()["error"]["code"] == "validation_failed"
    bad_variant = await client.post(f"/api/v1/manage/products/{shop.product_id}/variants",
                                    json={"price": -5}, headers={"x-csrftoken": token})
    assert bad_variant.status_code == 400
