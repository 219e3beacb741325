"""Pages and JSON API through the real app: browsing, cart, checkout, orders, dashboards and authorisation."""

import gzip
import io
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image

from marketplace.orders import service as orders
from tests.helpers import make_user
from tests.marketplace.web_helpers import csrf_from, page_csrf, seed_shop, sign_in_as

LOCALES = ("vi", "en", "zh", "ko", "ja", "ru", "fr", "ar")


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (120, 40, 160)).save(out, format="JPEG")
    return out.getvalue()


async def add_and_checkout(client: AsyncTestClient[Any], variant_id: int, quantity: int = 1) -> str:
    """Add to cart from the product page form and check out with cash on delivery; returns the final page."""
    token = await page_csrf(client, "/vi/cart")
    response = await client.post("/vi/cart/add", data={"variant_id": variant_id, "quantity": quantity,
                                                       "_csrf_token": token})
    assert response.status_code == 200 and "/vi/cart" in str(response.url)
    checkout = await client.get("/vi/checkout")
    assert checkout.status_code == 200, checkout.text
    signature = checkout.text.split('name="quote_signature" value="')[1].split('"')[0]
    response = await client.post("/vi/checkout", data={
        "_csrf_token": csrf_from(checkout.text), "quote_signature": signature, "province_code": "56",
        "commune_code": "22738", "contact_name": "Khách", "contact_phone": "0901234567",
        "address_line": "5 Lê Duẩn", "payment_method": "cod"})
    assert response.status_code == 200, response.text
    return response.text


@pytest.mark.parametrize("locale", LOCALES)
async def test_public_pages_in_every_locale(client: AsyncTestClient[Any], pool: asyncpg.Pool, locale: str) -> None:
    shop = await seed_shop(pool, f"grapes-{locale}@example.test", "Vườn nho Thái An")
    for path in ("/products", f"/products/{shop.product_slug}", f"/shops/{shop.merchant_slug}",
                 "/categories/produce", "/cart"):
        response = await client.get(f"/{locale}{path}")
        assert response.status_code == 200, (path, response.text[:300])
        assert f'<html lang="{locale}" dir="{"rtl" if locale == "ar" else "ltr"}">' in response.text
    product_page = await client.get(f"/{locale}/products/{shop.product_slug}")
    assert "Vườn nho Thái An sản phẩm" in product_page.text and '"@type":"Product"' in product_page.text
    shop_page = await client.get(f"/{locale}/shops/{shop.merchant_slug}")
    assert '"@type":"LocalBusiness"' in shop_page.text


async def test_public_pages_fit_the_weak_signal_budget(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    # One TCP round trip: a public page's HTML plus its CSS within 14 KB compressed.
    shop = await seed_shop(pool, "budget@example.test", "Hành tím Ninh Thuận")
    css = (await client.get("/static/site.css")).content + (await client.get("/static/shop.css")).content
    for path in (f"/vi/products/{shop.product_slug}", f"/vi/shops/{shop.merchant_slug}", "/vi/products"):
        html = (await client.get(path)).content
        assert len(gzip.compress(html + css)) <= 14 * 1024, path


async def test_pending_merchant_is_not_public(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    owner = await make_user(pool, "pending@example.test", ["customer"])
    await sign_in_as(client, "pending@example.test")
    token = await page_csrf(client, "/vi/merchant/new")
    response = await client.post("/vi/merchant/new", data={"name": "Gốm Bàu Trúc Chế Thị", "kind": "household",
                                                           "phone": "0912345678", "_csrf_token": token})
    assert response.status_code == 200 and "/location" in str(response.url)
    merchant_id = int(str(response.url).split("/merchant/")[1].split("/")[0])
    response = await client.post(f"/vi/merchant/{merchant_id}/location", data={
        "commune_code": "22738", "address": "Phước Dân", "_csrf_token": token})
    assert "/details" in str(response.url)
    response = await client.post(f"/vi/merchant/{merchant_id}/details", data={
        "story": "Gốm nặn tay", "offers_pickup": "1", "ocop_stars": "4", "ocop_certificate_no": "NT-4-2023",
        "ocop_year": "2023", "_csrf_token": token})
    assert response.status_code == 200 and f"/merchant/{merchant_id}" in str(response.url)
    assert "OCOP" in response.text
    assert (await client.get("/vi/shops/gom-bau-truc-che-thi")).status_code == 404
    assert (await client.get("/api/v1/shops/gom-bau-truc-che-thi")).status_code == 404
    assert owner


async def test_whole_purchase_with_cash_on_delivery_and_fulfilment(client: AsyncTestClient[Any],
                                                                   pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "seller@example.test", "Nước mắm Cà Ná", stock=5)
    await make_user(pool, "buyer@example.test", ["customer"])
    # An anonymous visitor fills the cart; it follows them when they sign in.
    token = await page_csrf(client, f"/en/products/{shop.product_slug}")
    response = await client.post("/en/cart/add", data={"variant_id": shop.variant_id, "quantity": 2,
                                                       "_csrf_token": token})
    assert "Nước mắm Cà Ná sản phẩm" in response.text and client.cookies.get("cart")
    assert (await client.get("/en/checkout", follow_redirects=False)).status_code == 303  # sign in first
    await sign_in_as(client, "buyer@example.test")
    cart = await client.get("/api/v1/cart")
    assert [line["quantity"] for group in cart.json()["groups"] for line in group["lines"]] == [2]
    checkout = await client.get("/en/checkout")
    signature = checkout.text.split('name="quote_signature" value="')[1].split('"')[0]
    placed = await client.post("/en/checkout", data={
        "_csrf_token": csrf_from(checkout.text), "quote_signature": signature, "province_code": "56",
        "commune_code": "22738", "contact_name": "Anna", "contact_phone": "+84 901 234 567",
        "address_line": "Hotel Sài Gòn - Ninh Chữ", f"delivery_{shop.merchant_id}": "delivery",
        "payment_method": "cod"})
    assert placed.status_code == 200 and "Thank you" in placed.text
    order_id = (await client.get("/api/v1/orders")).json()[0]["id"]
    order = (await client.get(f"/api/v1/orders/{order_id}")).json()
    assert order["status"] == "confirmed" and order["total"] == 2 * 50_000 + 20_000
    # The merchant fulfils it from the order page; the buyer confirms receipt and reviews.
    client.cookies.clear()
    await sign_in_as(client, "seller@example.test")
    dashboard = await client.get(f"/vi/merchant/{shop.merchant_id}")
    assert f"/vi/orders/{order_id}" in dashboard.text and 'name="status" value="shipped"' in dashboard.text
    slip = await client.get(f"/vi/orders/{order_id}/packing-slip")
    assert slip.status_code == 200 and "Anna" in slip.text
    for status in ("shipped", "delivered"):
        page = await client.get(f"/vi/orders/{order_id}")
        response = await client.post(f"/vi/orders/{order_id}/status",
                                     data={"status": status, "_csrf_token": csrf_from(page.text)})
        assert response.status_code == 200, response.text
    client.cookies.clear()
    await sign_in_as(client, "buyer@example.test")
    page = await client.get(f"/fr/orders/{order_id}")
    response = await client.post(f"/fr/orders/{order_id}/status",
                                 data={"status": "completed", "_csrf_token": csrf_from(page.text)})
    assert response.status_code == 200
    response = await client.post(f"/fr/orders/{order_id}/reviews", data={
        "product_id": shop.product_id, "rating": "5", "body": "Très bon", "_csrf_token": csrf_from(page.text)})
    assert "Très bon" in response.text
    product = (await client.get(f"/api/v1/products/{shop.product_slug}")).json()
    assert product["rating_count"] == 1 and product["variants"][0]["stock"] == 3


async def test_price_change_is_shown_on_the_checkout_page(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "raise@example.test", "Tỏi Phan Rang", price=100_000)
    await make_user(pool, "shopper@example.test", ["customer"])
    await sign_in_as(client, "shopper@example.test")
    response = await client.post("/api/v1/cart/items", json={"variant_id": shop.variant_id, "quantity": 1})
    assert response.status_code == 201
    old_signature = response.json()["signature"]
    async with pool.acquire() as conn:
        await conn.execute("UPDATE product_variants SET price = 120000 WHERE id = $1", shop.variant_id)
    checkout = await client.get("/vi/checkout")
    assert "<del>" in checkout.text and "120.000" in checkout.text
    response = await client.post("/vi/checkout", data={
        "_csrf_token": csrf_from(checkout.text), "quote_signature": old_signature, "province_code": "56",
        "commune_code": "22738", "contact_name": "A", "contact_phone": "0901234567", "address_line": "x"})
    assert response.status_code == 409 and "120.000" in response.text
    api = await client.post("/api/v1/checkout", json={
        "contact_name": "A", "contact_phone": "0901234567", "province_code": 56, "commune_code": 22738,
        "address_line": "x", "quote_signature": old_signature})
    assert api.status_code == 409 and api.json()["error"]["code"] == "price_changed"
    new_signature = api.json()["error"]["details"]["signature"]
    api = await client.post("/api/v1/checkout", json={
        "contact_name": "A", "contact_phone": "0901234567", "province_code": 56, "commune_code": 22738,
        "address_line": "x", "quote_signature": new_signature})
    assert api.status_code == 201 and api.json()["total"] == 120_000


async def test_merchant_a_cannot_touch_merchant_b(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    a = await seed_shop(pool, "a@example.test", "Cửa hàng A")
    b = await seed_shop(pool, "b@example.test", "Cửa hàng B")
    await make_user(pool, "buyer-b@example.test", ["customer"])
    await sign_in_as(client, "buyer-b@example.test")
    await add_and_checkout(client, b.variant_id)
    order_b = (await client.get("/api/v1/orders")).json()[0]["id"]
    client.cookies.clear()
    await sign_in_as(client, a.owner_email)
    token = await page_csrf(client, f"/vi/merchant/{a.merchant_id}")
    # As API calls (bodyless POSTs are not JSON, so they carry the CSRF header like a browser client would)...
    for method, path, body in (
        ("GET", f"/api/v1/manage/products/{b.product_id}", None),
        ("PATCH", f"/api/v1/manage/products/{b.product_id}", {"name": {"vi": "Hacked"}}),
        ("POST", f"/api/v1/manage/products/{b.product_id}/unpublish", None),
        ("DELETE", f"/api/v1/manage/products/{b.product_id}", None),
        ("GET", f"/api/v1/manage/merchants/{b.merchant_id}/products", None),
        ("POST", f"/api/v1/manage/merchants/{b.merchant_id}/products",
         {"name": {"vi": "X"}, "category_slug": "vegetables", "variants": [{"price": 1}]}),
        ("GET", f"/api/v1/manage/merchants/{b.merchant_id}/orders", None),
        ("GET", f"/api/v1/orders/{order_b}", None),
        ("POST", f"/api/v1/orders/{order_b}/status", {"status": "shipped"}),
    ):
        response = await client.request(method, path, json=body, headers={"x-csrftoken": token})
        assert response.status_code == 404, (method, path, response.text)
    # ... and as form posts from pages.
    for path, data in (
        (f"/vi/merchant/products/{b.product_id}/status", {"action": "delete"}),
        (f"/vi/merchant/variants/{b.variant_id}", {"price": "1", "stock": "0"}),
        (f"/vi/orders/{order_b}/status", {"status": "shipped"}),
        (f"/vi/merchant/{b.merchant_id}/products/new", {"name_vi": "X", "category_slug": "vegetables", "price": "1"}),
    ):
        response = await client.post(path, data={**data, "_csrf_token": token})
        assert response.status_code == 404, (path, response.text[:200])
    for path in (f"/vi/merchant/{b.merchant_id}", f"/vi/merchant/products/{b.product_id}", f"/vi/orders/{order_b}",
                 f"/vi/orders/{order_b}/packing-slip"):
        assert (await client.get(path)).status_code == 404, path
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM products WHERE id = $1", b.product_id) == "published"
        assert await conn.fetchval("SELECT price FROM product_variants WHERE id = $1", b.variant_id) == 50_000
        assert await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_b) == "confirmed"


async def test_customer_sees_only_own_orders(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "s@example.test", "Mật ong rừng")
    await make_user(pool, "one@example.test", ["customer"])
    await make_user(pool, "two@example.test", ["customer"])
    await sign_in_as(client, "one@example.test")
    await add_and_checkout(client, shop.variant_id)
    order_id = (await client.get("/api/v1/orders")).json()[0]["id"]
    client.cookies.clear()
    await sign_in_as(client, "two@example.test")
    assert (await client.get("/api/v1/orders")).json() == []
    assert (await client.get(f"/api/v1/orders/{order_id}")).status_code == 404
    assert (await client.get(f"/vi/orders/{order_id}")).status_code == 404
    token = await page_csrf(client)
    assert (await client.post(f"/vi/orders/{order_id}/status",
                              data={"status": "cancelled", "_csrf_token": token})).status_code == 404
    assert (await client.post(f"/api/v1/orders/{order_id}/status", json={"status": "cancelled"})).status_code == 404


async def test_forms_without_csrf_are_refused(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "csrf@example.test", "Muối Cà Ná")
    response = await client.post("/vi/cart/add", data={"variant_id": shop.variant_id, "quantity": 1})
    assert response.status_code == 403


async def test_image_upload_through_the_dashboard_and_api(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "photo@example.test", "Thổ cẩm Mỹ Nghiệp")
    other = await seed_shop(pool, "other-photo@example.test", "Khác")
    await sign_in_as(client, shop.owner_email)
    token = await page_csrf(client, f"/vi/merchant/products/{shop.product_id}")
    response = await client.post(f"/vi/merchant/products/{shop.product_id}/images", data={"_csrf_token": token},
                                 files={"file": ("photo.jpg", jpeg(), "image/jpeg")})
    assert response.status_code == 200, response.text
    product = (await client.get(f"/api/v1/manage/products/{shop.product_id}")).json()
    thumb = product["images"][0]["urls"]["thumb"]
    image = await client.get(thumb)
    assert image.status_code == 200 and image.headers["content-type"] == "image/webp"
    assert (await client.get("/media/../secret_key")).status_code == 404
    refused = await client.post(f"/api/v1/manage/products/{shop.product_id}/images",
                                files={"file": ("x.jpg", b"%PDF-1.4 not an image", "image/jpeg")},
                                headers={"x-csrftoken": token})
    assert refused.status_code == 415 and refused.json()["error"]["code"] == "not_an_image"
    foreign = await client.post(f"/api/v1/manage/products/{other.product_id}/images",
                                files={"file": ("p.jpg", jpeg(), "image/jpeg")}, headers={"x-csrftoken": token})
    assert foreign.status_code == 404


def test_openapi_describes_the_marketplace_api() -> None:
    # Built from this package's handlers alone, so another package's schema problem cannot hide ours.
    from litestar import Litestar, Router
    from litestar.di import Provide

    from marketplace.agents import api as agents_api
    from marketplace.catalog import api as catalog_api
    from marketplace.checkout import api as checkout_api
    from marketplace.merchants import api as merchants_api
    from marketplace.orders import api as orders_api

    def provider() -> Any:
        async def nothing() -> None:
            return None

        return Provide(nothing)

    names = ("db", "pool", "principal", "settings", "images", "locale", "page", "search_engine", "refunder")
    routers = [catalog_api.router, merchants_api.router, agents_api.router, orders_api.router, checkout_api.router]
    app = Litestar(route_handlers=[Router("/api/v1", route_handlers=routers)],
                   dependencies={name: provider() for name in names})
    schema = app.openapi_schema.to_schema()
    for path in ("/api/v1/products", "/api/v1/checkout", "/api/v1/orders/{order_id}", "/api/v1/cart/items",
                 "/api/v1/manage/products/{product_id}/images", "/api/v1/agent/merchants"):
        assert path in schema["paths"], path
    checkout = schema["components"]["schemas"]["CheckoutForm"]
    assert set(checkout["required"]) >= {"contact_name", "contact_phone", "commune_code", "address_line"}


async def test_order_state_changes_refused_with_reason(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "sm@example.test", "Măng tây")
    await make_user(pool, "sm-buyer@example.test", ["customer"])
    await sign_in_as(client, "sm-buyer@example.test")
    await add_and_checkout(client, shop.variant_id)
    order_id = (await client.get("/api/v1/orders")).json()[0]["id"]
    response = await client.post(f"/api/v1/orders/{order_id}/status", json={"status": "shipped"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "transition_forbidden"
    response = await client.post(f"/api/v1/orders/{order_id}/status", json={"status": "completed"})
    assert response.status_code == 409 and response.json()["error"]["code"] == "invalid_transition"
    async with pool.acquire() as conn:
        assert await orders.release_reservation(conn, order_id) is True  # payments' entry point, idempotent


async def test_public_catalog_api(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    first = await seed_shop(pool, "api1@example.test", "Nho xanh")
    second = await seed_shop(pool, "api2@example.test", "Táo xanh")
    page = (await client.get("/api/v1/products", params={"limit": 1})).json()
    assert [card["id"] for card in page] == [second.product_id]
    rest = (await client.get("/api/v1/products", params={"limit": 5, "before": page[0]["id"]})).json()
    assert [card["id"] for card in rest] == [first.product_id]
    fruit = (await client.get("/api/v1/products", params={"category": "produce"})).json()
    assert {card["id"] for card in fruit} == {first.product_id, second.product_id}
    assert (await client.get("/api/v1/products", params={"category": "nope"})).status_code == 404
    assert (await client.get("/api/v1/products", params={"limit": 1000})).status_code == 400
    shop = (await client.get(f"/api/v1/shops/{first.merchant_slug}")).json()
    assert shop["status"] == "approved" and shop["commune_code"] == 22738
    assert [p["id"] for p in (await client.get(f"/api/v1/shops/{first.merchant_slug}/products")).json()] == [
        first.product_id]
    assert (await client.get(f"/api/v1/shops/{first.merchant_slug}/reviews")).json() == []
    categories = (await client.get("/api/v1/categories")).json()
    assert {"produce", "fresh-fruit", "tours"} <= {c["slug"] for c in categories}


async def test_story_edited_in_one_language_keeps_the_others(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "story@example.test", "Vườn táo")
    await sign_in_as(client, shop.owner_email)
    form = await client.get(f"/en/merchant/{shop.merchant_id}/details")
    assert "Vườn nho gia đình" not in form.text  # the English field does not show the Vietnamese text
    response = await client.post(f"/en/merchant/{shop.merchant_id}/details", data={
        "story": "A family jujube garden", "offers_pickup": "1", "_csrf_token": csrf_from(form.text)})
    assert response.status_code == 200
    story = (await client.get(f"/api/v1/manage/merchants/{shop.merchant_id}")).json()["story"]
    assert story == {"vi": "Vườn nho gia đình", "en": "A family jujube garden"}


async def test_product_edit_keeps_languages_the_form_does_not_show(client: AsyncTestClient[Any],
                                                                   pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "names@example.test", "Muối")
    async with pool.acquire() as conn:
        await conn.execute("UPDATE products SET name = name || $2 WHERE id = $1", shop.product_id, {"ja": "塩"})
    await sign_in_as(client, shop.owner_email)
    form = await client.get(f"/vi/merchant/products/{shop.product_id}")
    await client.post(f"/vi/merchant/products/{shop.product_id}", data={
        "name_vi": "Muối hạt Cà Ná", "name_en": "", "_csrf_token": csrf_from(form.text)})
    name = (await client.get(f"/api/v1/manage/products/{shop.product_id}")).json()["name"]
    assert name == {"vi": "Muối hạt Cà Ná", "ja": "塩"}


async def test_app_openapi_lists_the_marketplace(client: AsyncTestClient[Any]) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    for path in ("/api/v1/products", "/api/v1/checkout", "/api/v1/orders/{order_id}/status",
                 "/api/v1/manage/merchants/{merchant_id}/audit-log", "/api/v1/admin/merchants/pending"):
        assert path in schema["paths"], path
