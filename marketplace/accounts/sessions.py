"""The session cookie and what happens when someone signs in."""

import inspect
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from litestar import Request
from litestar.datastructures import Cookie

from marketplace.accounts import service
from marketplace.platform.database import ACQUIRE_TIMEOUT
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import Settings

SESSION_COOKIE = "sid"

__all__ = ["SESSION_COOKIE", "session_cookie", "signed_in", "start_signed_in_session", "SignInHook"]

SignInHook = Callable[[Request[Any, Any, Any], asyncpg.Connection, int], Awaitable[Any] | Any]


def session_cookie(request: Request[Any, Any, Any], settings: Settings, token: str, *, expire: bool = False) -> Cookie:
    """HttpOnly, SameSite=Lax, Secure when BASE_URL is https; scoped to the service's path."""
    path = runtime_of(request.app.state).path_prefix or "/"
    return Cookie(key=SESSION_COOKIE, value=token, httponly=True, samesite="lax", secure=settings.secure_cookies,
                  path=path, max_age=0 if expire else 14 * 24 * 3600)


async def signed_in(request: Request[Any, Any, Any], db: asyncpg.Connection, user_id: int) -> None:
    """Run the sign-in hooks other packages registered (e.g. an anonymous cart follows its owner)."""
    for hook in runtime_of(request.app.state).sign_in_hooks:
        result = hook(request, db, user_id)
        if inspect.isawaitable(result):
            await result


async def start_signed_in_session(request: Request[Any, Any, Any], pool: asyncpg.Pool, user_id: int) -> str:
    """A new session and the sign-in hooks, in one transaction on one connection; returns the cookie value."""
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as connection, connection.transaction():
        token = await service.start_session(connection, user_id)
        await signed_in(request, connection, user_id)
    return token
