"""Dependencies every handler of every package may ask for by name (see docs/CONTRACTS.md)."""

from collections.abc import AsyncGenerator
from typing import Any

import asyncpg
from litestar import Request
from litestar.di import Provide
from litestar.types import ASGIApp, Receive, Scope, Send

import i18n
from marketplace.accounts.models import Principal
from marketplace.platform.auth import ACQUIRE_TIMEOUT, load_principal
from marketplace.platform.errors import NotFound
from marketplace.platform.runtime import Runtime, runtime_of
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer

__all__ = ["LOCALE_COOKIE", "ConnectionGuardMiddleware", "request_locale", "app_dependencies"]

LOCALE_COOKIE = "locale"


def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    return runtime_of(request.app.state)


REQUEST_CONNECTION_KEY = "_marketplace_request_connection"


async def provide_db(request: Request[Any, Any, Any]) -> AsyncGenerator[asyncpg.Connection, None]:
    """One connection in one transaction: committed on success, rolled back if the handler raises.

    The connection is also noted in the request scope: when Litestar rejects another parameter after this
    dependency ran, it never resumes the generator, and `ConnectionGuardMiddleware` returns it instead.
    """
    pool = _runtime(request).require_pool()
    connection = await pool.acquire(timeout=ACQUIRE_TIMEOUT)
    request.scope[REQUEST_CONNECTION_KEY] = (pool, connection)  # type: ignore[literal-required]
    try:
        transaction = connection.transaction()
        await transaction.start()
        try:
            yield connection
        except BaseException:
            await transaction.rollback()
            raise
        else:
            await transaction.commit()
    finally:
        if request.scope.pop(REQUEST_CONNECTION_KEY, None) is not None:  # type: ignore[misc]
            await pool.release(connection)


class ConnectionGuardMiddleware:
    """Returns a request's connection to the pool if its dependency was never cleaned up."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            leftover = scope.pop(REQUEST_CONNECTION_KEY, None)  # type: ignore[misc]
            if leftover is not None:
                pool, connection = leftover
                # release() resets the connection, rolling back the transaction that was never finished.
                await pool.release(connection)


async def provide_pool(request: Request[Any, Any, Any]) -> asyncpg.Pool:
    return _runtime(request).require_pool()


async def provide_principal(request: Request[Any, Any, Any]) -> Principal | None:
    return await load_principal(request)


def request_locale(request: Request[Any, Any, Any]) -> str:
    """The URL prefix's locale when there is one, then ?locale=, the cookie, Accept-Language, the default."""
    path_locale = request.path_params.get("lang")
    if path_locale is not None:
        if path_locale not in i18n.SUPPORTED_LOCALES:
            raise NotFound(f"Unknown language {path_locale!r}.", code="unknown_locale")
        return path_locale
    query_locale = request.query_params.get("locale")
    settings = _runtime(request).settings
    return i18n.negotiate_locale(
        query_locale if query_locale in i18n.SUPPORTED_LOCALES else None,
        request.cookies.get(LOCALE_COOKIE),
        request.headers.get("accept-language"),
        default=settings.default_locale,
    )


async def provide_locale(request: Request[Any, Any, Any]) -> str:
    return request_locale(request)


async def provide_page(request: Request[Any, Any, Any]) -> PageRenderer:
    runtime = _runtime(request)
    principal = await load_principal(request)
    return PageRenderer(runtime.templates, request, request_locale(request), principal, runtime.path_prefix)


async def provide_settings(request: Request[Any, Any, Any]) -> Settings:
    return _runtime(request).settings


async def provide_search_engine(request: Request[Any, Any, Any]) -> Any:
    return _runtime(request).search_engine


async def provide_images(request: Request[Any, Any, Any]) -> Any:
    return _runtime(request).images


def app_dependencies() -> dict[str, Provide]:
    """The named dependencies of docs/CONTRACTS.md."""
    return {
        "db": Provide(provide_db),
        "pool": Provide(provide_pool),
        "principal": Provide(provide_principal),
        "locale": Provide(provide_locale),
        "page": Provide(provide_page),
        "settings": Provide(provide_settings),
        "search_engine": Provide(provide_search_engine),
        "images": Provide(provide_images),
    }
