"""Checkout: one order per merchant, delivery and payment choices, price changes, stock reserved at once."""

import asyncio

import asyncpg
import pytest

from marketplace.carts import service as carts
from marketplace.catalog import service as catalog
from marketplace.catalog.models import VariantUpdate
from marketplace.checkout.models import DeliveryChoice
from marketplace.checkout.service import place_checkout, quote_cart
from marketplace.orders import service as orders
from marketplace.orders.errors import OutOfStock, PriceChanged
from tests.marketplace.factories import (
    buy,
    checkout_form,
    make_experience,
    make_merchant,
    make_product,
    make_user,
)


async def stock_of(conn: asyncpg.Connection, variant_id: int) -> int:
    return await conn.fetchval("SELECT stock FROM product_variants WHERE id = $1", variant_id)


async def test_checkout_across_three_merchants_creates_one_order_each(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    variants = []
    for index, fee in enumerate((15_000, 25_000, None)):
        owner, merchant = await make_merchant(conn, name=f"Cửa hàng {index}", delivery_fee=fee)
        product = await make_product(conn, owner, merchant, name=f"Sản phẩm {index}", price=10_000 * (index + 1))
        variants.append((merchant, product.variants[0]))
        await carts.add_item(conn, cart_id, product.variants[0].id, index + 1)
    quote = await quote_cart(conn, cart_id)
    assert len(quote.groups) == 3
    delivery = [DeliveryChoice(variants[0][0].id, "delivery"), DeliveryChoice(variants[1][0].id, "pickup"),
                DeliveryChoice(variants[2][0].id, "pickup")]
    placed = await place_checkout(conn, buyer, cart_id, checkout_form(quote.signature, delivery=delivery))
    assert len(placed.order_ids) == 3
    # 1x10k + 2x20k + 3x30k, plus the first shop's delivery fee only.
    assert placed.total == 10_000 + 40_000 + 90_000 + 15_000
    rows = await conn.fetch("SELECT merchant_id, status, total, delivery_fee, checkout_id FROM orders "
                            "WHERE checkout_id = $1 ORDER BY id", placed.checkout_id)
    assert [row["merchant_id"] for row in rows] == [m.id for m, _ in variants]
    assert {row["status"] for row in rows} == {"confirmed"}
    assert [row["total"] for row in rows] == [25_000, 40_000, 90_000]
    assert [await stock_of(conn, v.id) for _, v in variants] == [9, 8, 7]
    assert await carts.cart_lines(conn, cart_id) == []
    events = await conn.fetch("SELECT to_status, actor_user_id FROM order_events WHERE order_id = ANY ($1)",
                              placed.order_ids)
    assert [(e["to_status"], e["actor_user_id"]) for e in events] == [("confirmed", buyer.user_id)] * 3


async def test_delivery_method_the_shop_does_not_offer_is_refused(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn, delivery_fee=None)
    product = await make_product(conn, owner, merchant)
    cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    await carts.add_item(conn, cart_id, product.variants[0].id, 1)
    quote = await quote_cart(conn, cart_id)
    with pytest.raises(Exception) as error:
        await place_checkout(conn, buyer, cart_id, checkout_form(
            quote.signature, delivery=[DeliveryChoice(merchant.id, "delivery")]))
    assert getattr(error.value, "status_code", None) == 422


async def test_price_change_between_cart_and_checkout_is_shown_before_confirming(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant, price=50_000)
    variant_id = product.variants[0].id
    cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    await carts.add_item(conn, cart_id, variant_id, 2)
    seen = await quote_cart(conn, cart_id)
    assert seen.subtotal == 100_000 and not seen.changed_lines
    # The merchant raises the price while the buyer is filling in the checkout form.
    await catalog.update_variant(conn, owner, variant_id, VariantUpdate(price=65_000))
    with pytest.raises(PriceChanged) as error:
        await place_checkout(conn, buyer, cart_id, checkout_form(seen.signature))
    assert error.value.details["changed"] == [{"variant_id": variant_id, "was": 50_000, "now": 65_000}]
    assert await stock_of(conn, variant_id) == 10
    assert await conn.fetchval("SELECT count(*) FROM orders WHERE buyer_user_id = $1", buyer.user_id) == 0
    # The review page shows the new price next to the old; confirming that quote places the order.
    fresh = await quote_cart(conn, cart_id)
    assert [(line.unit_price_seen, line.unit_price) for line in fresh.changed_lines] == [(50_000, 65_000)]
    placed = await place_checkout(conn, buyer, cart_id, checkout_form(fresh.signature))
    assert placed.total == 130_000 + 0  # pickup is the default and free


async def test_out_of_stock_rolls_back_everything(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn)
    plenty = await make_product(conn, owner, merchant, name="Tỏi", stock=50)
    scarce = await make_product(conn, owner, merchant, name="Hành", stock=3)
    cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    await carts.add_item(conn, cart_id, plenty.variants[0].id, 5)
    await carts.add_item(conn, cart_id, scarce.variants[0].id, 3)
    quote = await quote_cart(conn, cart_id)
    await conn.execute("UPDATE product_variants SET stock = 1 WHERE id = $1", scarce.variants[0].id)
    savepoint = conn.transaction()
    await savepoint.start()
    with pytest.raises(OutOfStock):
        await place_checkout(conn, buyer, cart_id, checkout_form(quote.signature))
    await savepoint.rollback()
    assert await stock_of(conn, plenty.variants[0].id) == 50
    assert await conn.fetchval("SELECT count(*) FROM checkouts WHERE buyer_user_id = $1", buyer.user_id) == 0


async def test_cod_is_confirmed_at_once_and_other_methods_wait_for_payment(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn)
    product = await make_product(conn, owner, merchant)
    cod = await buy(conn, buyer, product.variants[0].id)
    qr = await buy(conn, buyer, product.variants[0].id, payment_method="vietqr")
    assert cod.status == "confirmed" and qr.status == "pending_payment"
    cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
    await carts.add_item(conn, cart_id, product.variants[0].id, 1)
    quote = await quote_cart(conn, cart_id)
    with pytest.raises(Exception) as error:  # stripe is not configured by default
        await place_checkout(conn, buyer, cart_id, checkout_form(quote.signature, payment_method="stripe"))
    assert getattr(error.value, "code", None) == "payment_method_unavailable"


async def test_experience_slot_capacity_is_reserved(conn: asyncpg.Connection) -> None:
    buyer = await make_user(conn)
    owner, merchant = await make_merchant(conn, name="Tour Ninh Thuận")
    tour = await make_experience(conn, owner, merchant, seats=4)
    assert tour.kind == "experience"
    placed = await buy(conn, buyer, tour.variants[0].id, 3)
    order = await orders.get_order_for(conn, buyer, placed.order_ids[0])
    assert order.items[0].starts_at == tour.variants[0].starts_at
    with pytest.raises(Exception) as error:
        await buy(conn, buyer, tour.variants[0].id, 2)
    assert getattr(error.value, "code", None) == "not_enough_stock"
    assert await stock_of(conn, tour.variants[0].id) == 1


async def test_fifty_buyers_race_for_the_last_ten_units(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant = await make_merchant(conn)
        product = await make_product(conn, owner, merchant, stock=10)
        variant_id = product.variants[0].id
        buyers = [await make_user(conn) for _ in range(50)]
        carts_and_quotes = []
        for buyer in buyers:
            cart_id, _ = await carts.get_or_create_cart(conn, user_id=buyer.user_id, token=None)
            await carts.add_item(conn, cart_id, variant_id, 1)
            carts_and_quotes.append((buyer, cart_id, (await quote_cart(conn, cart_id)).signature))
    start = asyncio.Event()

    async def attempt(buyer, cart_id: int, signature: str) -> str:  # type: ignore[no-untyped-def]
        async with pool.acquire() as conn:
            await start.wait()
            try:
                async with conn.transaction():
                    await place_checkout(conn, buyer, cart_id, checkout_form(signature))
            except OutOfStock:
                return "sold out"
            return "bought"

    tasks = [asyncio.create_task(attempt(*args)) for args in carts_and_quotes]
    await asyncio.sleep(0)
    start.set()
    results = await asyncio.gather(*tasks)
    assert results.count("bought") == 10 and results.count("sold out") == 40
    async with pool.acquire() as conn:
        assert await conn.fetchval("SELECT stock FROM product_variants WHERE id = $1", variant_id) == 0
        assert await conn.fetchval("SELECT count(*) FROM orders WHERE merchant_id = $1", merchant.id) == 10
        assert await conn.fetchval("SELECT sum(quantity) FROM order_items WHERE variant_id = $1", variant_id) == 10
