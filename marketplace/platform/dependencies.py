"""Dependencies every handler of every package may ask for by name (see docs/CONTRACTS.md)."""

from collections.abc import AsyncGenerator
from typing import Any

import asyncpg
from litestar import Request
from litestar.di import Provide

import i18n
from marketplace.platform.access import current_principal
from marketplace.platform.database import ACQUIRE_TIMEOUT
from marketplace.platform.errors import NotFound
from marketplace.platform.principal import Principal
from marketplace.platform.runtime import Runtime, runtime_of
from marketplace.platform.settings import Settings
from marketplace.platform.templating import PageRenderer

__all__ = ["negotiated_locale", "request_locale", "app_dependencies"]

def _runtime(request: Request[Any, Any, Any]) -> Runtime:
    return runtime_of(request.app.state)


async def provide_db(request: Request[Any, Any, Any]) -> AsyncGenerator[asyncpg.Connection, None]:
    """One connection in one transaction: committed on success, rolled back if the handler raises."""
    pool = _runtime(request).require_pool()
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as connection:
        transaction = connection.transaction()
        await transaction.start()
        try:
            yield connection
        except BaseException:
            await transaction.rollback()
            raise
        else:
            await transaction.commit()


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
