"""The cart cookie and the cart of a request, shared by the cart and checkout API and pages."""

from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import Cookie

from marketplace.carts import service as carts
from marketplace.platform.runtime import runtime_of
from marketplace.platform.write_limits import enforce_anonymous_write

__all__ = ["cart_token", "cart_cookie", "current_cart_id", "cart_for_update"]

CART_COOKIE_MAX_AGE = 30 * 24 * 3600


def cart_token(request: Request[Any, Any, Any]) -> str | None:
    """The visitor's cart token from the HttpOnly cookie."""
    return request.cookies.get(carts.CART_COOKIE)


def cart_cookie(request: Request[Any, Any, Any], token: str) -> Cookie:
    """HttpOnly, SameSite=Lax, Secure on https; the cart follows the visitor for 30 days."""
    runtime = runtime_of(request.app.state)
    return Cookie(
        key=carts.CART_COOKIE,
        value=token,
        httponly=True,
        samesite="lax",
        secure=runtime.settings.secure_cookies,
        path=runtime.path_prefix or "/",
        max_age=CART_COOKIE_MAX_AGE,
    )


async def current_cart_id(db: asyncpg.Connection, request: Request[Any, Any, Any], principal: Any) -> int | None:
    """The cart of this request (the user's when signed in), without creating one."""
    user_id = getattr(principal, "user_id", None)
    return await carts.find_cart_id(db, user_id=user_id, token=cart_token(request))


async def cart_for_update(
    db: asyncpg.Connection, request: Request[Any, Any, Any], principal: Any
) -> tuple[int, list[Cookie]]:
    """The cart to change, created on first use; with the cookie to set for a new anonymous cart."""
    user_id = getattr(principal, "user_id", None)
    if user_id is None and await carts.find_cart_id(db, user_id=None, token=cart_token(request)) is None:
        await enforce_anonymous_write(request, "cart")  # a new anonymous cart is a new row: limited per client
    cart_id, new_token = await carts.get_or_create_cart(db, user_id=user_id, token=cart_token(request))
    return cart_id, ([cart_cookie(request, new_token)] if new_token else [])

