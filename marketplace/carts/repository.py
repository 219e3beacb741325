"""SQL for carts and their lines."""

import asyncpg
import msgspec

from marketplace.carts.models import CartLine

__all__ = [
    "delete_stale_anonymous_carts",
    "get_cart_id_by_token",
    "get_cart_id_by_user",
    "insert_cart",
    "upsert_item",
    "set_quantity",
    "delete_item",
    "list_lines",
    "clear_cart",
    "move_items",
    "delete_cart",
    "get_variant_for_cart",
    "assign_cart_to_user",
]

LINES = """
SELECT v.id AS variant_id, p.id AS product_id, p.slug AS product_slug, p.name AS product_name,
       p.kind AS product_kind, v.label AS variant_label, v.sku, p.unit, ci.quantity, v.price AS unit_price,
       ci.unit_price_seen, v.stock, v.starts_at, m.id AS merchant_id, m.name AS merchant_name,
       m.slug AS merchant_slug, m.offers_pickup, m.delivery_fee,
       (p.status = 'published' AND p.deleted_at IS NULL AND v.deleted_at IS NULL AND m.status = 'approved'
        AND (v.starts_at IS NULL OR v.starts_at > now())) AS purchasable,
       (SELECT i.urls ->> 'thumb' FROM product_images i WHERE i.product_id = p.id
        ORDER BY i.position, i.id LIMIT 1) AS image_url
FROM cart_items ci
JOIN product_variants v ON v.id = ci.variant_id
JOIN products p ON p.id = v.product_id
JOIN merchants m ON m.id = p.merchant_id
WHERE ci.cart_id = $1
ORDER BY m.id, ci.added_at, v.id
"""
VARIANT_FOR_CART = """
SELECT v.id, v.price, v.stock,
       (p.status = 'published' AND p.deleted_at IS NULL AND v.deleted_at IS NULL AND m.status = 'approved'
        AND (v.starts_at IS NULL OR v.starts_at > now())) AS purchasable
FROM product_variants v JOIN products p ON p.id = v.product_id JOIN merchants m ON m.id = p.merchant_id
WHERE v.id = $1
"""
# Adding again adds to the quantity and refreshes the price the buyer has now seen.
UPSERT_ITEM = """
INSERT INTO cart_items (cart_id, variant_id, quantity, unit_price_seen) VALUES ($1, $2, $3, $4)
ON CONFLICT (cart_id, variant_id) DO UPDATE
SET quantity = least(cart_items.quantity + EXCLUDED.quantity, 999), unit_price_seen = EXCLUDED.unit_price_seen
"""
# Moving a visitor's lines into the user's cart; a variant in both keeps the larger quantity.
MOVE_ITEMS = """
INSERT INTO cart_items (cart_id, variant_id, quantity, unit_price_seen, added_at)
SELECT $2, variant_id, quantity, unit_price_seen, added_at FROM cart_items WHERE cart_id = $1
ON CONFLICT (cart_id, variant_id) DO UPDATE
SET quantity = greatest(cart_items.quantity, EXCLUDED.quantity), unit_price_seen = EXCLUDED.unit_price_seen
"""


async def get_cart_id_by_token(conn: asyncpg.Connection, token_hash: bytes) -> int | None:
    """The visitor cart with this token hash."""
    return await conn.fetchval("SELECT id FROM carts WHERE token_hash = $1", token_hash)


async def get_cart_id_by_user(conn: asyncpg.Connection, user_id: int) -> int | None:
    """The user's cart."""
    return await conn.fetchval("SELECT id FROM carts WHERE user_id = $1", user_id)


async def insert_cart(conn: asyncpg.Connection, *, token_hash: bytes | None, user_id: int | None) -> int:
    # ON CONFLICT: two first requests of one user at once must not fail on the unique user_id.
    """A new cart; returns its id."""
    return await conn.fetchval(
        """INSERT INTO carts (token_hash, user_id) VALUES ($1, $2)
           ON CONFLICT (user_id) DO UPDATE SET updated_at = now() RETURNING id""",
        token_hash,
        user_id,
    )


async def get_variant_for_cart(conn: asyncpg.Connection, variant_id: int) -> asyncpg.Record | None:
    """Price, stock and whether a variant can be bought."""
    return await conn.fetchrow(VARIANT_FOR_CART, variant_id)


async def upsert_item(conn: asyncpg.Connection, cart_id: int, variant_id: int, quantity: int, price: int) -> None:
    """Add a variant or more of it, at the price seen now."""
    await conn.execute(UPSERT_ITEM, cart_id, variant_id, quantity, price)
    await conn.execute("UPDATE carts SET updated_at = now() WHERE id = $1", cart_id)


async def set_quantity(conn: asyncpg.Connection, cart_id: int, variant_id: int, quantity: int) -> bool:
    """Set a line's quantity; False when there is no such line."""
    status = await conn.execute(
        "UPDATE cart_items SET quantity = $3 WHERE cart_id = $1 AND variant_id = $2",
        cart_id,
        variant_id,
        quantity,
    )
    return status != "UPDATE 0"


async def delete_item(conn: asyncpg.Connection, cart_id: int, variant_id: int) -> None:
    """Remove a line."""
    await conn.execute("DELETE FROM cart_items WHERE cart_id = $1 AND variant_id = $2", cart_id, variant_id)


async def clear_cart(conn: asyncpg.Connection, cart_id: int) -> None:
    """Remove every line."""
    await conn.execute("DELETE FROM cart_items WHERE cart_id = $1", cart_id)


async def move_items(conn: asyncpg.Connection, from_cart_id: int, to_cart_id: int) -> None:
    """Move a cart's lines into another cart."""
    await conn.execute(MOVE_ITEMS, from_cart_id, to_cart_id)


async def delete_cart(conn: asyncpg.Connection, cart_id: int) -> None:
    """Delete a cart and its lines."""
    await conn.execute("DELETE FROM carts WHERE id = $1", cart_id)


async def list_lines(conn: asyncpg.Connection, cart_id: int) -> list[CartLine]:
    """The cart's lines with the catalog's current state."""
    return [msgspec.convert(dict(row), CartLine) for row in await conn.fetch(LINES, cart_id)]


async def assign_cart_to_user(conn: asyncpg.Connection, cart_id: int, user_id: int) -> None:
    """Hand a visitor's cart to a user: it is found by the user from now on, no longer by its cookie token."""
    await conn.execute(
        "UPDATE carts SET user_id = $2, token_hash = NULL, updated_at = now() WHERE id = $1", cart_id, user_id
    )


# Anonymous carts: gone 30 days after their last change (the cookie's life), or after a day when empty.
DELETE_STALE_ANONYMOUS_CARTS = """
DELETE FROM carts c WHERE c.user_id IS NULL AND (
    c.updated_at < now() - interval '30 days'
    OR (c.updated_at < now() - interval '1 day' AND NOT EXISTS (SELECT 1 FROM cart_items i WHERE i.cart_id = c.id)))
"""


async def delete_stale_anonymous_carts(conn: asyncpg.Connection) -> int:
    """Delete unused anonymous carts; returns how many."""
    status = await conn.execute(DELETE_STALE_ANONYMOUS_CARTS)
    return int(status.split()[-1])
