"""HTTP test helpers: a seeded shop with two merchants, signed-in clients, CSRF tokens from pages."""

import re
from dataclasses import dataclass
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from marketplace.platform.access import SystemActor
from tests.helpers import PASSWORD, make_user
from tests.marketplace.factories import make_merchant, make_product


@dataclass
class Shop:
    owner_email: str
    owner_id: int
    merchant_id: int
    merchant_slug: str
    product_id: int
    product_slug: str
    variant_id: int


async def seed_shop(pool: asyncpg.Pool, email: str, name: str, *, price: int = 50_000, stock: int = 10) -> Shop:
    """A user with an approved merchant and one published product."""
    owner_id = await make_user(pool, email, ["customer"])
    async with pool.acquire() as conn, conn.transaction():
        owner = SystemActor(owner_id, frozenset({"customer"}))
        _, merchant = await make_merchant(conn, owner, name=name)
        product = await make_product(conn, owner, merchant, name=f"{name} sản phẩm", price=price, stock=stock)
    return Shop(email, owner_id, merchant.id, merchant.slug, product.id, product.slug, product.variants[0].id)


async def sign_in_as(client: AsyncTestClient[Any], email: str) -> None:
    """Sign the client in (its cookie jar keeps the session)."""
    response = await client.post("/api/v1/auth/sign-in", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text


def csrf_from(html: str) -> str:
    match = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


async def page_csrf(client: AsyncTestClient[Any], path: str = "/vi/cart") -> str:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    return csrf_from(response.text)
