"""Dependencies every handler of every package may ask for by name (see docs/CONTRACTS.md)."""

import asyncio
from collections.abc import AsyncGenerator
from typing import Any

import asyncpg
from litestar import Request
from litestar.di import Provide
from litestar.types import ASGIApp, Receive, Scope, Send

import i18n
from marketplace.platform.access import current_principal
from marketplace.platform.database import ACQUIRE_TIMEOUT
from marketplace.platform.errors import NotFound
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import Runtime, runtime_of
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer

__all__ = ["ConnectionGuardMiddleware", "READ_REPLICA_OPT", "negotiated_locale", "request_locale", "app_dependencies"]

def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    return runtime_of(request.app.state)


REQUEST_CONNECTION_KEY = "marketplace.request_connection"


class _HeldConnection:
    """A request's connection, returned to its pool exactly once, whichever cleanup asks first.

    One task does the returning and every caller waits for it, shielded: Litestar may cancel the dependency
    mid-cleanup, and the middleware must then wait for that same return rather than start a second one on a
    connection that is still busy.
    """

    def __init__(self, pool: asyncpg.Pool, connection: asyncpg.Connection) -> None:
        self.pool = pool
        self.connection = connection
        self._returning: asyncio.Future[None] | None = None

    async def give_back(self) -> None:
        if self._returning is None:
            self._returning = asyncio.ensure_future(self._return())
        await asyncio.shield(self._returning)

    async def _return(self) -> None:
        try:
            if self.connection.is_in_transaction():  # the handler raised, or was never called
                await self.connection.execute("ROLLBACK")
        except asyncpg.InterfaceError:
            # A command was cut short by a cancellation: release() waits for it and resets the connection.
            pass
        finally:
            await self.pool.release(self.connection)


READ_REPLICA_OPT = "read_replica"
"""A route marks itself `opt={"read_replica": True}` when its GET only reads: anonymous visitors are then
served from DATABASE_REPLICA_URL where one is set (a signed-in person always reads the primary, so they see
their own changes at once; a visitor may see a change after the replica's lag)."""


def _pool_for(request: Request[Any, Any, Any]) -> tuple[asyncpg.Pool, bool]:
    """The request's pool, and whether it is the read replica."""
    runtime = _runtime(request)
    replica = runtime.replica_pool
    if (replica is not None and request.method in ("GET", "HEAD") and request.route_handler.opt.get(READ_REPLICA_OPT)
            and current_principal(request) is None):
        return replica, True
    return runtime.require_pool(), False


async def provide_db(request: Request[Any, Any, Any]) -> AsyncGenerator[asyncpg.Connection, None]:
    """One connection in one transaction: committed on success, rolled back if the handler raises.

    When Litestar rejects a parameter of a dependency resolved alongside this one, it drops this generator
    without closing it; the connection then came back only when the garbage collector finalised the
    generator, some time after the response. `ConnectionGuardMiddleware` gives it back before the request
    ends instead.
    """
    pool, on_replica = _pool_for(request)
    held = _HeldConnection(pool, await pool.acquire(timeout=ACQUIRE_TIMEOUT))
    request.scope[REQUEST_CONNECTION_KEY] = held  # type: ignore[literal-required]
    try:
        transaction = held.connection.transaction(readonly=on_replica)
        await transaction.start()
        yield held.connection
        await transaction.commit()
    finally:
        await held.give_back()


class ConnectionGuardMiddleware:
    """Returns a request's connection to the pool when its dependency was never cleaned up."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            held = scope.get(REQUEST_CONNECTION_KEY)  # type: ignore[misc]
            if isinstance(held, _HeldConnection):
                await held.give_back()


async def provide_pool(request: Request[Any, Any, Any]) -> asyncpg.Pool:
    return _runtime(request).require_pool()


async def provide_principal(request: Request[Any, Any, Any]) -> Principal | None:
    return current_principal(request)


def negotiated_locale(request: Request[Any, Any, Any]) -> str:
    """The path's locale prefix when there is one, then ?locale=, the cookie, Accept-Language, the default.

    Never raises, so error pages (even for unknown routes) can use it.
    """
    runtime = _runtime(request)
    path: str = request.scope.get("path", "")
    path_locale, _ = i18n.split_locale_path(path[len(runtime.path_prefix):])
    query_locale = request.query_params.get("locale")
    return i18n.negotiate_locale(
        path_locale or (query_locale if query_locale in i18n.SUPPORTED_LOCALES else None),
        request.cookies.get(i18n.LOCALE_COOKIE),
        request.headers.get("accept-language"),
        default=runtime.settings.default_locale,
    )


def request_locale(request: Request[Any, Any, Any]) -> str:
    """The request's locale; a page under an unknown language prefix (/xx/...) is a 404."""
    path_locale = request.path_params.get("lang")
    if path_locale is not None and path_locale not in i18n.SUPPORTED_LOCALES:
        raise NotFound(f"Unknown language {path_locale!r}.", code="unknown_locale")
    return negotiated_locale(request)


async def provide_locale(request: Request[Any, Any, Any]) -> str:
    return request_locale(request)


async def provide_page(request: Request[Any, Any, Any]) -> PageRenderer:
    runtime = _runtime(request)
    principal = current_principal(request)
    return PageRenderer(runtime.templates, request, request_locale(request), principal, runtime.path_prefix,
                        runtime.settings.base_url)


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
