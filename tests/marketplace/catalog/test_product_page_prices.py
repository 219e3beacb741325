"""The product page prices each option for what it is and never shows a stale seat or stock count (issue 14)."""

import re

import asyncpg
from litestar.testing import AsyncTestClient

from marketplace.catalog import service as catalog
from marketplace.catalog.models import ProductCreate, VariantIn
from marketplace.catalog.sizes import unit_price, variant_size
from tests.marketplace.factories import buy, make_experience, make_merchant, make_user


def test_sizes_are_read_from_labels_and_give_the_price_per_unit() -> None:
    assert variant_size({"vi": "Túi 500 g"}) == ("mass", 500)
    assert variant_size({"vi": "1,5 kg"}) == ("mass", 1500)
    assert variant_size({"en": "Bottle 750 ml"}) == ("volume", 750)
    assert variant_size({"vi": "Hộp quà"}) is None
    assert unit_price(20_000, {"vi": "500 g"}, "kg") == 40_000
    assert unit_price(60_000, {"vi": "1 kg"}, "kg") == 60_000
    assert unit_price(90_000, {"vi": "750 ml"}, "litre") == 120_000
    assert unit_price(20_000, {"vi": "500 g"}, "piece") is None
    assert unit_price(20_000, {"vi": "500 ml"}, "kg") is None


async def test_a_500_g_option_is_not_priced_per_kg(pool: asyncpg.Pool, client: AsyncTestClient) -> None:
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant = await make_merchant(conn)
        product = await catalog.create_product(conn, owner, merchant.id, ProductCreate(
            name={"vi": "Nho xanh", "en": "Green grapes"}, category_slug="fresh-fruit", unit="kg",
            variants=[VariantIn(label={"vi": "500 g", "en": "500 g"}, price=20_000, stock=5)], publish=True))
    page = (await client.get(f"/en/products/{product.slug}")).text
    price = re.search(r'<span class="price">(.*?)</span>\s*\n', page, re.S)
    assert price, page
    shown = re.sub(r"<[^>]+>", "", price.group(1))
    assert "20,000" in shown and "40,000" in shown and "per kg" in shown
    assert "20,000 / kg" not in shown.replace("\xa0", " ")


async def test_seats_are_revalidated_after_a_booking(pool: asyncpg.Pool, client: AsyncTestClient) -> None:
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant = await make_merchant(conn)
        tour = await make_experience(conn, owner, merchant, seats=8)
    path = f"/en/products/{tour.slug}"
    first = await client.get(path)
    assert "8 seats left" in first.text
    cache_control = first.headers["cache-control"]
    # The browser must ask again each time (it used to keep the page for 60 s: 8 seats shown where 5 were left).
    assert "no-cache" in cache_control and "max-age" not in cache_control and first.headers.get("etag")
    async with pool.acquire() as conn, conn.transaction():
        await buy(conn, await make_user(conn), tour.variants[0].id, 3)
    fresh = await client.get(path, headers={"if-none-match": first.headers["etag"]})
    assert fresh.status_code == 200 and "5 seats left" in fresh.text
