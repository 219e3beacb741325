"""Refused cart and order forms show their page again with the reason and the error's status."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.helpers import make_user
from tests.marketplace.web_helpers import csrf_from, page_csrf, seed_shop, sign_in_as


async def test_adding_more_than_is_in_stock_shows_the_cart_with_the_reason(client: AsyncTestClient[Any],
                                                                           pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "scarce@example.test", "Nho ít", stock=2)
    token = await page_csrf(client, f"/en/products/{shop.product_slug}")
    refused = await client.post("/en/cart/add", data={"variant_id": shop.variant_id, "quantity": 3,
                                                      "_csrf_token": token})
    assert refused.status_code == 422 and 'class="errors"' in refused.text and "<h1>Cart</h1>" in refused.text
    # The refused line created no cart: a visitor without one gets no cookie.
    assert not client.cookies.get("cart")
    mistyped = await client.post("/en/cart/add", data={"variant_id": "abc", "_csrf_token": token})
    assert mistyped.status_code == 422 and "<code>variant_id</code>" in mistyped.text
    added = await client.post("/en/cart/add", data={"variant_id": shop.variant_id, "quantity": "2",
                                                    "_csrf_token": token})
    assert added.status_code == 200 and client.cookies.get("cart")
    emptied = await client.post("/en/cart/update", data={"variant_id": shop.variant_id, "remove": "1",
                                                         "_csrf_token": token})
    assert emptied.status_code == 200 and "Your cart is empty." in emptied.text


async def test_a_step_the_buyer_may_not_take_shows_the_order_with_the_reason(client: AsyncTestClient[Any],
                                                                              pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "steps@example.test", "Muối")
    await make_user(pool, "steps-buyer@example.test", ["customer"])
    await sign_in_as(client, "steps-buyer@example.test")
    token = await page_csrf(client, "/en/cart")
    await client.post("/en/cart/add", data={"variant_id": shop.variant_id, "_csrf_token": token})
    checkout = await client.get("/en/checkout")
    signature = checkout.text.split('name="quote_signature" value="')[1].split('"')[0]
    await client.post("/en/checkout", data={
        "_csrf_token": csrf_from(checkout.text), "quote_signature": signature, "province_code": "56",
        "commune_code": "22738", "contact_name": "Khách", "contact_phone": "0901234567", "address_line": "5 Lê Duẩn"})
    order_id = (await client.get("/api/v1/orders")).json()[0]["id"]
    page = await client.get(f"/en/orders/{order_id}")
    refused = await client.post(f"/en/orders/{order_id}/status",
                                data={"status": "shipped", "_csrf_token": csrf_from(page.text)})
    assert refused.status_code == 403 and 'class="errors"' in refused.text and f"Order #{order_id}" in refused.text
    missing = await client.post(f"/en/orders/{order_id}/status", data={"_csrf_token": csrf_from(page.text)})
    assert missing.status_code == 422 and "<code>status</code>" in missing.text
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM orders WHERE id = $1", order_id) == "confirmed"
