"""The demo seed: Ninh Thuận merchants and products in vi and en, no fake photos, assisted merchants, orders."""

import asyncpg

from i18n import SUPPORTED_LOCALES
from marketplace.demo import seed_marketplace_demo
from marketplace.orders.states import ORDER_STATUSES
from marketplace.platform.illustrations import PRODUCT_ILLUSTRATIONS
from marketplace.search_source import MarketplaceSource


async def test_demo_seed(conn: asyncpg.Connection) -> None:
    summary = await seed_marketplace_demo(conn)
    assert summary["merchants"] == 9 and summary["products"] >= 28
    statuses = {row["status"] for row in await conn.fetch("SELECT DISTINCT status FROM orders")}
    assert statuses == set(ORDER_STATUSES)
    names = await conn.fetch("SELECT name FROM products WHERE deleted_at IS NULL")
    # Every product is named in all eight locales (descriptions in vi and en, the others fall back to en).
    assert all(set(row["name"]) == set(SUPPORTED_LOCALES) and all(row["name"].values()) for row in names)
    assert await conn.fetchval("SELECT count(DISTINCT merchant_id) FROM merchant_agents") == 3
    assert await conn.fetchval("SELECT count(*) FROM agent_audit_log") > 10
    assert await conn.fetchval("SELECT count(*) FROM merchants WHERE status = 'pending'") == 1
    assert await conn.fetchval("SELECT count(*) FROM reviews WHERE reply IS NOT NULL") == 2
    assert await conn.fetchval("SELECT count(*) FROM products WHERE kind = 'experience'") == 3
    # No generated picture passes for a photo: cards show their category's illustration instead.
    assert await conn.fetchval("SELECT count(*) FROM product_images") == 0
    categories = {row["category_slug"] for row in await conn.fetch("SELECT DISTINCT category_slug FROM products")}
    assert categories <= set(PRODUCT_ILLUSTRATIONS), categories - set(PRODUCT_ILLUSTRATIONS)
    documents = [document async for document in MarketplaceSource().iter_all(conn)]
    grapes = [d for d in documents if d.slug.startswith("nho-do-ninh-thuan")]
    assert grapes and grapes[0].ocop_stars == 4 and grapes[0].image_url is None
    assert {d.kind for d in documents} == {"product", "experience", "merchant"}
    # Tourists' feedback: one resolved, one being handled, one received, each behind its private link.
    assert [tuple(row) for row in await conn.fetch("SELECT category, status FROM feedback ORDER BY id")] == [
        ("wrong_information", "resolved"), ("cleanliness", "assigned"), ("other", "received")]
    assert len(summary["feedback"]) == 3
    assert (await seed_marketplace_demo(conn)).get("skipped")
