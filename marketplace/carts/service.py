"""Cart rules: find or create the visitor's cart, add and change lines, merge it into a user's at sign-in."""

import hashlib
import secrets

import asyncpg

from marketplace.carts import repository as repo
from marketplace.carts.models import CartLine
from marketplace.platform.errors import NotFound, Unprocessable

__all__ = [
    "expire_anonymous_carts",
    "CART_COOKIE",
    "new_cart_token",
    "hash_token",
    "find_cart_id",
    "get_or_create_cart",
    "add_item",
    "update_quantity",
    "cart_lines",
    "merge_into_user",
    "MAX_LINES",
]

CART_COOKIE = "cart"
MAX_LINES = 100


def new_cart_token() -> str:
    """A random token for the `cart` cookie; only its hash is stored."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    """The stored form of a cart token."""
    return hashlib.sha256(token.encode()).digest()


def _valid_token(token: str | None) -> bool:
    return bool(token) and len(token) <= 100  # type: ignore[arg-type]


async def find_cart_id(conn: asyncpg.Connection, *, user_id: int | None, token: str | None) -> int | None:
    """The signed-in user's cart, else the visitor's by cookie token; None when there is none yet."""
    if user_id is not None:
        return await repo.get_cart_id_by_user(conn, user_id)
    if token and _valid_token(token):
        return await repo.get_cart_id_by_token(conn, hash_token(token))
    return None


async def get_or_create_cart(
    conn: asyncpg.Connection, *, user_id: int | None, token: str | None
) -> tuple[int, str | None]:
    """The cart to add to, and a new cookie token when an anonymous visitor got a new cart."""
    cart_id = await find_cart_id(conn, user_id=user_id, token=token)
    if cart_id is not None:
        return cart_id, None
    if user_id is not None:
        return await repo.insert_cart(conn, token_hash=None, user_id=user_id), None
    new_token = new_cart_token()
    return await repo.insert_cart(conn, token_hash=hash_token(new_token), user_id=None), new_token


async def add_item(conn: asyncpg.Connection, cart_id: int, variant_id: int, quantity: int) -> None:
    """Add a purchasable variant at its current price; more than is in stock is refused."""
    if not 1 <= quantity <= 999:
        raise Unprocessable("Quantity must be between 1 and 999.", code="bad_quantity")
    variant = await repo.get_variant_for_cart(conn, variant_id)
    if variant is None or not variant["purchasable"]:
        raise NotFound("This item is not for sale.", code="variant_not_found")
    if variant["stock"] < quantity:
        raise Unprocessable("Not enough in stock.", code="not_enough_stock", details={"available": variant["stock"]})
    lines = await repo.list_lines(conn, cart_id)
    if len(lines) >= MAX_LINES and all(line.variant_id != variant_id for line in lines):
        raise Unprocessable("The cart is full.", code="cart_full")
    await repo.upsert_item(conn, cart_id, variant_id, quantity, variant["price"])


async def update_quantity(conn: asyncpg.Connection, cart_id: int, variant_id: int, quantity: int) -> None:
    """Set a line's quantity; zero removes it."""
    if quantity <= 0:
        await repo.delete_item(conn, cart_id, variant_id)
        return
    if quantity > 999:
        raise Unprocessable("Quantity must be at most 999.", code="bad_quantity")
    if not await repo.set_quantity(conn, cart_id, variant_id, quantity):
        raise NotFound("This item is not in the cart.", code="cart_line_not_found")


async def cart_lines(conn: asyncpg.Connection, cart_id: int | None) -> list[CartLine]:
    """The cart's lines with current prices and stock (empty for no cart)."""
    if cart_id is None:
        return []
    return await repo.list_lines(conn, cart_id)


async def merge_into_user(conn: asyncpg.Connection, cart_token: str | None, user_id: int) -> int | None:
    """At sign-in: move the visitor's cart (by cookie token) into the user's; return the user's cart id."""
    if not cart_token or not _valid_token(cart_token):
        return await repo.get_cart_id_by_user(conn, user_id)
    visitor_cart = await repo.get_cart_id_by_token(conn, hash_token(cart_token))
    if visitor_cart is None:
        return await repo.get_cart_id_by_user(conn, user_id)
    user_cart = await repo.get_cart_id_by_user(conn, user_id)
    if user_cart is None:
        # Simply hand the visitor's cart to the user.
        await repo.assign_cart_to_user(conn, visitor_cart, user_id)
        return visitor_cart
    await repo.move_items(conn, visitor_cart, user_cart)
    await repo.delete_cart(conn, visitor_cart)
    return user_cart


async def expire_anonymous_carts(conn: asyncpg.Connection) -> int:
    """Housekeeping: anonymous carts unchanged for 30 days, or empty for a day, are deleted."""
    return await repo.delete_stale_anonymous_carts(conn)
