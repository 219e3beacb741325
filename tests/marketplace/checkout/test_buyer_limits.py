"""One free account cannot empty the catalogue (issue 10, point 7): units per line, unpaid orders, young accounts."""

from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from marketplace.carts import service as carts
from marketplace.checkout.service import BuyerLimits, place_checkout, quote_cart
from marketplace.orders.errors import BuyerLimitReached
from tests.helpers import make_user as make_http_user
from tests.marketplace.factories import checkout_form, make_merchant, make_product, make_user
from tests.marketplace.web_helpers import seed_shop, sign_in_as


async def _checkout(conn: asyncpg.Connection, buyer: Any, variant_id: int, quantity: int, limits: BuyerLimits | None,
                    method: str = "cod") -> Any:
    cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    await carts.add_item(conn, cart_id, variant_id, quantity)
    quote = await quote_cart(conn, cart_id)
    return await place_checkout(conn, buyer, cart_id, checkout_form(quote.signature, payment_method=method),
                                payment_methods={"cod", "vietqr"}, limits=limits)


async def _variant(conn: asyncpg.Connection, price: int = 50_000) -> int:
    owner, merchant = await make_merchant(conn)
    return (await make_product(conn, owner, merchant, price=price, stock=1000)).variants[0].id


async def test_units_of_one_item_per_order_are_limited(conn: asyncpg.Connection) -> None:
    variant = await _variant(conn)
    with pytest.raises(BuyerLimitReached) as refused:
        await _checkout(conn, await make_user(conn), variant, 21, BuyerLimits())
    await _checkout(conn, await make_user(conn), variant, 21, None)  # a library caller (the demo) without limits
    assert refused.value.code == "quantity_limit" and refused.value.details["max"] == 20


async def test_open_unpaid_orders_are_limited(conn: asyncpg.Connection) -> None:
    variant, buyer = await _variant(conn), await make_user(conn)
    limits = BuyerLimits(max_unpaid_orders=2, young_account_max_reserved=10**12)
    await _checkout(conn, buyer, variant, 1, limits)
    await _checkout(conn, buyer, variant, 1, limits, method="vietqr")
    with pytest.raises(BuyerLimitReached) as refused:
        await _checkout(conn, buyer, variant, 1, limits)
    assert refused.value.code == "too_many_unpaid_orders" and refused.value.details == {"open": 2, "max": 2}


async def test_young_accounts_reserve_a_limited_value(conn: asyncpg.Connection) -> None:
    variant, buyer = await _variant(conn, price=400_000), await make_user(conn)
    limits = BuyerLimits(young_account_max_reserved=1_000_000)
    await _checkout(conn, buyer, variant, 2, limits)
    with pytest.raises(BuyerLimitReached) as refused:
        await _checkout(conn, buyer, variant, 1, limits)
    assert refused.value.code == "reserved_value_limit"
    # The same account, older than the limit's days, may.
    await conn.execute("UPDATE users SET created_at = now() - interval '8 days' WHERE id = $1", buyer.user_id)
    await _checkout(conn, buyer, variant, 1, limits)


async def test_the_api_explains_the_limit(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await seed_shop(pool, "limits-shop@example.test", "Nho Thái An", stock=100)
    await make_http_user(pool, "greedy@example.test", ["customer"])
    await sign_in_as(client, "greedy@example.test")
    added = await client.post("/api/v1/cart/items", json={"variant_id": shop.variant_id, "quantity": 100})
    assert added.status_code == 201, added.text
    response = await client.post("/api/v1/checkout", json={
        "contact_name": "Khách", "contact_phone": "0901234567", "province_code": 56, "commune_code": 22738,
        "address_line": "5 Lê Duẩn", "payment_method": "cod", "quote_signature": added.json()["signature"]})
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "quantity_limit"
    assert await pool.fetchval("SELECT stock FROM product_variants WHERE id = $1", shop.variant_id) == 100


def test_limits_are_settings_checked_at_start(tmp_path: Any) -> None:
    from marketplace.platform.settings import SettingsError, load_settings

    base = {"DATA_DIR": str(tmp_path), "SECRET_KEY": "x" * 40}
    assert load_settings({**base, "MAX_UNPAID_ORDERS": "3"}).max_unpaid_orders == 3
    with pytest.raises(SettingsError, match="MAX_QUANTITY_PER_LINE"):
        load_settings({**base, "MAX_QUANTITY_PER_LINE": "0"})
