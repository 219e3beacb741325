"""The one write the demo seed makes beyond the services it seeds through: a merchant's name in two languages."""

import asyncpg

__all__ = ["update_merchant_name"]

# Onboarding takes a name in one language; the demo's merchants have theirs in Vietnamese and English.
UPDATE_MERCHANT_NAME = "UPDATE merchants SET name = $2 WHERE id = $1"


async def update_merchant_name(conn: asyncpg.Connection, merchant_id: int, name: dict[str, str]) -> None:
    """Give a demo merchant its name in every language the demo data has."""
    await conn.execute(UPDATE_MERCHANT_NAME, merchant_id, name)
