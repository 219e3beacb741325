"""The few queries the demo seed needs beyond the services it seeds through."""

import asyncpg

__all__ = ["DEMO_ADMIN_EMAIL", "get_demo_admin_id", "list_delivered_cash_order_ids", "demo_marker_exists",
           "update_merchant_name"]

DEMO_ADMIN_EMAIL = "market-admin@demo.test"

DEMO_ADMIN_ID = "SELECT id FROM users WHERE email = $1"
DELIVERED_CASH_ORDER_IDS = """
SELECT id FROM orders WHERE payment_method = 'cod' AND status IN ('delivered', 'completed') ORDER BY id
"""
MERCHANT_WITH_SLUG = "SELECT 1 FROM merchants WHERE slug = $1"
UPDATE_MERCHANT_NAME = "UPDATE merchants SET name = $2 WHERE id = $1"


async def get_demo_admin_id(conn: asyncpg.Connection) -> int | None:
    """The demo admin's user id, once the marketplace demo is seeded."""
    return await conn.fetchval(DEMO_ADMIN_ID, DEMO_ADMIN_EMAIL)


async def list_delivered_cash_order_ids(conn: asyncpg.Connection) -> list[int]:
    """Cash-on-delivery orders that were handed over: the demo records their cash."""
    return [row["id"] for row in await conn.fetch(DELIVERED_CASH_ORDER_IDS)]


async def demo_marker_exists(conn: asyncpg.Connection, marker_slug: str) -> bool:
    """True when the demo's marker merchant is there (the demo was seeded before)."""
    return bool(await conn.fetchval(MERCHANT_WITH_SLUG, marker_slug))


async def update_merchant_name(conn: asyncpg.Connection, merchant_id: int, name: dict[str, str]) -> None:
    """Give a demo merchant its name in every language the demo data has."""
    await conn.execute(UPDATE_MERCHANT_NAME, merchant_id, name)
