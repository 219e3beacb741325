"""The demo seed: Ninh Thuận merchants and products in vi and en, generated photos, assisted merchants, orders."""

from pathlib import Path

import asyncpg

from i18n import SUPPORTED_LOCALES
from marketplace.demo import seed_marketplace_demo
from marketplace.orders.states import ORDER_STATUSES
from marketplace.search_source import MarketplaceSource


def media_files(root: Path) -> list[Path]:
    return list(root.rglob("*.webp"))


async def test_demo_seed(conn: asyncpg.Connection, tmp_path: Path) -> None:
    summary = await seed_marketplace_demo(conn, tmp_path)
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
    # Every product has a generated photo stored as WebP sizes.
    assert await conn.fetchval(
        "SELECT count(*) FROM products p WHERE NOT EXISTS (SELECT 1 FROM product_images i WHERE i.product_id = p.id)"
    ) == 0
    assert len(media_files(tmp_path / "media")) == 3 * summary["products"]
    documents = [document async for document in MarketplaceSource().iter_all(conn)]
    grapes = [d for d in documents if d.slug.startswith("nho-do-ninh-thuan")]
    assert grapes and grapes[0].ocop_stars == 4 and grapes[0].image_url
    assert {d.kind for d in documents} == {"product", "experience", "merchant"}
    # Tourists' feedback: one resolved, one being handled, one received, each behind its private link.
    assert [tuple(row) for row in await conn.fetch("SELECT category, status FROM feedback ORDER BY id")] == [
        ("wrong_information", "resolved"), ("cleanliness", "assigned"), ("other", "received")]
    assert len(summary["feedback"]) == 3
    assert (await seed_marketplace_demo(conn, tmp_path)).get("skipped")
