"""The checkout page places the cart without reading it more often than placing needs."""

from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from marketplace.carts import repository as cart_repo
from tests.helpers import make_user
from tests.marketplace.web_helpers import csrf_from, page_csrf, seed_shop, sign_in_as


async def test_placing_from_the_page_reads_the_cart_once_to_offer_and_once_to_place(
        client: AsyncTestClient[Any], pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    shop = await seed_shop(pool, "reads@example.test", "Tỏi Lý Sơn")
    await make_user(pool, "reads-buyer@example.test", ["customer"])
    await sign_in_as(client, "reads-buyer@example.test")
    token = await page_csrf(client, "/en/cart")
    await client.post("/en/cart/add", data={"variant_id": shop.variant_id, "_csrf_token": token})
    checkout = await client.get("/en/checkout")
    signature = checkout.text.split('name="quote_signature" value="')[1].split('"')[0]
    reads: list[int] = []
    list_lines = cart_repo.list_lines

    async def counted(conn: asyncpg.Connection, cart_id: int) -> Any:
        reads.append(cart_id)
        return await list_lines(conn, cart_id)

    monkeypatch.setattr(cart_repo, "list_lines", counted)
    placed = await client.post("/en/checkout", data={
        "_csrf_token": csrf_from(checkout.text), "quote_signature": signature, "province_code": "56",
        "commune_code": "22738", "contact_name": "Khách", "contact_phone": "0901234567", "address_line": "5 Lê Duẩn",
        "payment_method": "cod"}, follow_redirects=False)
    assert placed.status_code == 303 and "/en/orders?checkout=" in placed.headers["location"]
    # The delivery choices and the offered methods come from one reading; placing reads the prices again.
    assert len(reads) == 2


async def test_the_checkout_shows_the_grand_total_with_delivery(client: AsyncTestClient[Any],
                                                                pool: asyncpg.Pool) -> None:
    # Issue 14: the page said "Items: ₫240,000 · plus delivery fees you chose" and ₫295,000 was charged.
    shop = await seed_shop(pool, "total@example.test", "Nho Thái An", price=120_000)
    await make_user(pool, "total-buyer@example.test", ["customer"])
    await sign_in_as(client, "total-buyer@example.test")
    token = await page_csrf(client, "/en/cart")
    await client.post("/en/cart/add", data={"variant_id": shop.variant_id, "quantity": "2", "_csrf_token": token})
    page = (await client.get("/en/checkout")).text
    total = page.split('id="grand-total">')[1].split("</p>")[0]
    # Two items at 120,000: picked up (preselected) 240,000; with the shop's 20,000 delivery fee 260,000.
    assert "Total to pay" in total and "₫240,000" in total and "₫260,000" in total, total
