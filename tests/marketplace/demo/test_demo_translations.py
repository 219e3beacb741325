"""The demo products, experiences and shops in all eight locales, shown in the visitor's own language."""

from pathlib import Path

import asyncpg
from markupsafe import escape

from marketplace.demo import seed_marketplace_demo
from marketplace.demo.seed import translation_gaps
from tests.lang_runs import runs_containing


def test_every_demo_product_experience_and_merchant_is_translated() -> None:
    assert translation_gaps() == []


async def test_demo_listings_show_their_own_locale_text(client, pool: asyncpg.Pool, tmp_path: Path) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await seed_marketplace_demo(connection, tmp_path)
        products = await connection.fetch("SELECT slug, name, description FROM products WHERE status = 'published'")
        shops = await connection.fetch("SELECT slug, name, story FROM merchants WHERE status = 'approved'")
    assert len(products) >= 28 and len(shops) == 9
    for locale in ("zh", "ko", "ar"):
        for product in products:
            page = (await client.get(f"/{locale}/products/{product['slug']}")).text
            assert str(escape(product["name"][locale])) in page, (locale, product["slug"])
            assert str(escape(product["description"][locale])) in page, (locale, product["slug"])
        for shop in shops:
            page = (await client.get(f"/{locale}/shops/{shop['slug']}")).text
            assert str(escape(shop["name"][locale])) in page and str(escape(shop["story"][locale])) in page
    # Nothing in English on an Arabic product page: the description is Arabic, in the page's own language.
    grapes = next(p for p in products if p["slug"].startswith("nho-do"))
    arabic = (await client.get(f"/ar/products/{grapes['slug']}")).text
    assert runs_containing(arabic, grapes["description"]["en"]) == []
    assert runs_containing(arabic, grapes["description"]["ar"]) == [("ar", "rtl")]
