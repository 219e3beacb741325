"""Duplicate checkouts (issue 10, point 6): concurrent or repeated submissions give one order and the same answer."""

import asyncio
import re
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.helpers import make_user
from tests.marketplace.web_helpers import csrf_from, page_csrf, seed_shop, sign_in_as


async def _cart_and_body(client: AsyncTestClient[Any], pool: asyncpg.Pool, name: str) -> dict[str, Any]:
    shop = await seed_shop(pool, f"{name}-shop@example.test", "Nho Thái An")
    await make_user(pool, f"{name}@example.test", ["customer"])
    await sign_in_as(client, f"{name}@example.test")
    added = await client.post("/api/v1/cart/items", json={"variant_id": shop.variant_id, "quantity": 2})
    assert added.status_code == 201, added.text
    return {"contact_name": "Khách", "contact_phone": "0901234567", "province_code": 56, "commune_code": 22738,
            "address_line": "5 Lê Duẩn", "payment_method": "cod", "quote_signature": added.json()["signature"]}


async def _orders_of(pool: asyncpg.Pool, email: str) -> int:
    return await pool.fetchval("SELECT count(*) FROM orders o JOIN users u ON u.id = o.buyer_user_id "
                               "WHERE u.email = $1", email)


async def test_three_concurrent_checkouts_with_one_key_make_one_order(
        client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    body = await _cart_and_body(client, pool, "racer")
    headers = {"Idempotency-Key": "4b0c2c1e-0d5e-4a8e-9a43-0f1d1f1e2a01"}
    answers = await asyncio.gather(*(client.post("/api/v1/checkout", json=body, headers=headers) for _ in range(3)))
    assert [answer.status_code for answer in answers] == [201, 201, 201], [a.text for a in answers]
    assert len({answer.json()["checkout_id"] for answer in answers}) == 1
    assert await _orders_of(pool, "racer@example.test") == 1
    # Later, the same request again: the same answer, still one order.
    again = await client.post("/api/v1/checkout", json=body, headers=headers)
    assert again.status_code == 201 and again.json() == answers[0].json()
    # The same key with another body is refused.
    other = await client.post("/api/v1/checkout", json={**body, "contact_name": "Người khác"}, headers=headers)
    assert other.status_code == 422 and other.json()["error"]["code"] == "idempotency_key_reused"
    assert await _orders_of(pool, "racer@example.test") == 1


async def test_concurrent_checkouts_of_one_cart_without_a_key_make_one_order(
        client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    body = await _cart_and_body(client, pool, "nokey")
    answers = await asyncio.gather(*(client.post("/api/v1/checkout", json=body) for _ in range(3)))
    assert sorted(answer.status_code for answer in answers) == [201, 422, 422], [a.text for a in answers]
    assert await _orders_of(pool, "nokey@example.test") == 1


async def test_double_submit_of_the_checkout_form_shows_the_one_order(
        client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "double-shop@example.test", "Tỏi Lý Sơn")
    await make_user(pool, "double@example.test", ["customer"])
    await sign_in_as(client, "double@example.test")
    token = await page_csrf(client, "/en/cart")
    await client.post("/en/cart/add", data={"variant_id": shop.variant_id, "_csrf_token": token})
    page = (await client.get("/en/checkout")).text
    form = {"_csrf_token": csrf_from(page), "province_code": "56", "commune_code": "22738",
            "contact_name": "Khách", "contact_phone": "0901234567", "address_line": "5 Lê Duẩn",
            "payment_method": "cod",
            "quote_signature": page.split('name="quote_signature" value="')[1].split('"')[0],
            "checkout_token": page.split('name="checkout_token" value="')[1].split('"')[0]}
    first, second = await asyncio.gather(*(client.post("/en/checkout", data=form, follow_redirects=False)
                                           for _ in range(2)))
    refusals = re.findall(r"role=.alert.><ul><li>(.*?)</li>", first.text + second.text)
    assert first.status_code == second.status_code == 303, refusals
    assert first.headers["location"] == second.headers["location"]
    assert await _orders_of(pool, "double@example.test") == 1
