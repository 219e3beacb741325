"""The service: `create_app(settings)` for a standalone app, `MarketplacePlugin` to mount it in a portal."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType
from typing import Any

import asyncpg
from litestar import Litestar, MediaType, Request, Response, Router, get
from litestar.config.app import AppConfig
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins import InitPluginProtocol
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.status_codes import HTTP_302_FOUND, HTTP_303_SEE_OTHER

import i18n
import search.web as search_web
import tourism.web as tourism_web
from marketplace import composition, sitemaps
from marketplace.accounts import api as accounts_api
from marketplace.accounts import pages as accounts_pages
from marketplace.accounts.middleware import PrincipalMiddleware
from marketplace.agents import pages as agents_pages
from marketplace.catalog import api as catalog_api
from marketplace.catalog import pages as catalog_pages
from marketplace.media import web as media_web
from marketplace.merchants import api as merchants_api
from marketplace.merchants import dashboard as merchants_dashboard
from marketplace.merchants import pages as merchants_pages
from marketplace.orders import api as orders_api
from marketplace.orders import pages as orders_pages
from marketplace.payments import api as payments_api
from marketplace.payments import pages as payments_pages
from marketplace.platform.access import check_route_access, current_principal
from marketplace.platform.database import EmbeddedPostgres, create_pool
from marketplace.platform.dependencies import (
    app_dependencies,
    negotiated_locale,
    request_locale,
)
from marketplace.platform.errors import Forbidden, Unauthorized, handle_exception
from marketplace.platform.middleware import (
    CsrfUnlessTokenMiddleware,
    RequestLogMiddleware,
    SecurityHeadersMiddleware,
)
from marketplace.platform.migrations import apply_migrations
from marketplace.platform.runtime import RUNTIME_KEY, Runtime, runtime_of
from marketplace.platform.settings import Settings, load_settings
from marketplace.platform.templating import PageRenderer, create_environment
from search.models import SearchFilters, SearchQuery

__all__ = ["create_app", "MarketplacePlugin", "app_from_environment"]

log = logging.getLogger("marketplace.app")

STATIC_DIR = Path(__file__).parent / "static"
# Signed webhooks authenticate by signature, not by cookie, so CSRF does not apply to them.
CSRF_EXEMPT_SUFFIXES: tuple[str, ...] = ("/payments/stripe/webhook", "/payments/bank/webhook")

# Every package's routes, by where they are mounted. Order matters only for the OpenAPI document's order.
PAGE_MODULES: tuple[ModuleType, ...] = (
    accounts_pages, search_web, tourism_web, catalog_pages, orders_pages, merchants_pages, merchants_dashboard,
    agents_pages, payments_pages,
)
API_MODULES: tuple[ModuleType, ...] = (
    accounts_api, search_web, tourism_web, catalog_api, merchants_api, orders_api, payments_api,
)
ROOT_MODULES: tuple[ModuleType, ...] = (tourism_web, media_web, sitemaps)

# TRANSITIONAL (removed when every module has module-level routes): the old factory of each module.
_LEGACY = {
    (accounts_pages, "page"): "account_page_handlers", (accounts_api, "api"): "account_api_handlers",
    (search_web, "page"): "page_handlers", (search_web, "api"): "api_handlers",
    (tourism_web, "page"): "page_handlers", (tourism_web, "api"): "api_handlers",
    (tourism_web, "root"): "root_handlers",
    (catalog_pages, "page"): "catalog_page_handlers", (catalog_api, "api"): "catalog_api_handlers",
    (orders_pages, "page"): "order_page_handlers", (orders_api, "api"): "order_api_handlers",
    (merchants_pages, "page"): "merchant_page_handlers", (merchants_api, "api"): "merchant_api_handlers",
    (merchants_dashboard, "page"): "dashboard_page_handlers", (agents_pages, "page"): "agent_page_handlers",
    (payments_pages, "page"): "payment_page_handlers", (payments_api, "api"): "payment_api_handlers",
    (media_web, "root"): "media_handlers", (sitemaps, "root"): "sitemap_handlers",
}


class _TransitionalGuards:
    """TRANSITIONAL: what the old factories expect, on top of the route-level access check."""

    def __getattr__(self, name: str) -> Any:
        roles = () if name == "authenticated" else (name,)

        def guard(connection: Any, _: Any) -> None:
            principal = current_principal(connection)
            if principal is None:
                raise Unauthorized("Sign in first.", code="not_signed_in")
            if roles and not any(principal.has_role(role) for role in roles):
                raise Forbidden(f"This needs the role {' or '.join(roles)}.", code="missing_role",
                                details={"required": list(roles)})

        return guard


def _routes(modules: tuple[ModuleType, ...], kind: str) -> list[Any]:
    """Each module's `<kind>_routers` list, `<kind>_router` or `router`; TRANSITIONAL: else its old factory."""
    found: list[Any] = []
    for module in modules:
        routers = getattr(module, f"{kind.upper()}_ROUTERS", None)
        router = getattr(module, f"{kind}_router", None) or getattr(module, "router", None)
        if routers is not None:
            found.extend(routers)
        elif router is not None:
            found.append(router)
        elif (module, kind) in _LEGACY:
            factory = getattr(module, _LEGACY[(module, kind)])
            found.extend(factory(_TransitionalGuards()) if factory.__code__.co_argcount else factory())
    return found


@get("/", name="home", include_in_schema=False)
async def home_page(page: NamedDependency[PageRenderer], search_engine: NamedDependency[Any],
                    locale: NamedDependency[str]) -> Response:
    """The home page: search box, featured attractions and products."""
    attractions: list[Any] = []
    products: list[Any] = []
    if search_engine is not None:
        for kinds, target in ((("attraction",), attractions), (("product", "experience"), products)):
            try:
                result = await search_engine.search(SearchQuery(
                    locale=locale, filters=SearchFilters(kinds=kinds), sort="popularity", per_page=6))
            except Exception:  # the home page must render even while the search engine is down
                log.warning("search engine unavailable for the home page", exc_info=True)
                continue
            target.extend(hit.document for hit in result.hits)
    return page.render("home.html", {"attractions": attractions, "products": products},
                       headers={"cache-control": "private, max-age=60"})


@get("/", name="root", include_in_schema=False)
async def root_redirect(request: Request[Any, Any, Any]) -> Redirect:
    """Send visitors to their language: cookie, then Accept-Language, then the default."""
    prefix = runtime_of(request.app.state).path_prefix
    return Redirect(f"{prefix}/{request_locale(request)}/", status_code=HTTP_302_FOUND,
                    headers={"vary": "Accept-Language, Cookie"})


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    """The process is alive."""
    return {"status": "ok"}


@get("/readyz", include_in_schema=False)
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, str]]:
    """The database answers."""
    pool = runtime_of(request.app.state).pool
    try:
        if pool is None:
            raise RuntimeError("no pool")
        async with pool.acquire(timeout=2) as connection:
            await connection.fetchval("SELECT 1", timeout=2)
    except (OSError, RuntimeError, asyncpg.PostgresError, TimeoutError):
        return Response({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return Response({"status": "ok", "database": "ok"})


def _error_page(request: Request[Any, Any, Any], status: int, code: str, message: str,
                headers: dict[str, str]) -> Response[Any]:
    runtime = runtime_of(request.app.state)
    locale = negotiated_locale(request)
    if status == 401 and request.method == "GET":
        return Redirect(f"{runtime.path_prefix}/{locale}/account/sign-in?next={request.url.path}",
                        status_code=HTTP_303_SEE_OTHER)
    shown = i18n.gettext(message if status < 500 or status == 503 else "Something went wrong on our side.", locale)
    try:
        renderer = PageRenderer(runtime.templates, request, locale, request.state.get("principal"),
                                runtime.path_prefix)
        return renderer.render("error.html", {"status": status, "code": code, "message": shown},
                               status_code=status, headers=headers)
    except Exception:  # an error page must never fail; fall back to plain text
        log.exception("error page failed to render")
        return Response(f"{status} {shown}", status_code=status, media_type=MediaType.TEXT, headers=headers)


def build_router(settings: Settings, path: str = "/") -> Router:
    """Every route of every package, with the middleware, dependencies and error handling they share."""
    pages = Router(path="/{lang:str}", route_handlers=[home_page, *_routes(PAGE_MODULES, "page")],
                   include_in_schema=False)
    api = Router(path="/api/v1", route_handlers=_routes(API_MODULES, "api"))
    csrf = CSRFConfig(secret=settings.secret_key, cookie_secure=settings.secure_cookies, cookie_httponly=True,
                      cookie_samesite="lax", cookie_path=path if path != "/" else "/")
    return Router(
        path=path,
        route_handlers=[root_redirect, healthz, readyz, pages, api, *_routes(ROOT_MODULES, "root"),
                        create_static_files_router(path="/static", directories=[STATIC_DIR],
                                                   include_in_schema=False, name="static",
                                                   send_as_attachment=False)],
        dependencies=app_dependencies(),
        guards=[check_route_access],
        middleware=[
            RequestLogMiddleware,
            DefineMiddleware(SecurityHeadersMiddleware, frame_ancestors=settings.frame_ancestors,
                             hsts=settings.secure_cookies),
            DefineMiddleware(CsrfUnlessTokenMiddleware, config=csrf, exempt_paths=CSRF_EXEMPT_SUFFIXES),
            PrincipalMiddleware,
        ],
        exception_handlers={Exception: handle_exception},
    )


@contextlib.asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    runtime = runtime_of(app.state)
    await start_runtime(runtime)
    try:
        yield
    finally:
        await stop_runtime(runtime)


async def start_runtime(runtime: Runtime) -> None:
    """Open the database (starting the embedded one if needed), the search engine and background tasks."""
    settings = runtime.settings
    dsn = settings.database_url
    if dsn is None:
        runtime.embedded = EmbeddedPostgres(settings.data_dir)
        dsn = await asyncio.to_thread(start_embedded_database, runtime.embedded)
    runtime.dsn = dsn
    runtime.pool = await create_pool(dsn)
    if runtime.embedded is not None:
        async with runtime.pool.acquire() as connection:
            await apply_migrations(connection)
    await composition.start(runtime)


def start_embedded_database(embedded: EmbeddedPostgres) -> str:
    """Start the embedded server and make sure the service's database exists; returns its URL."""
    import asyncpg as _asyncpg

    embedded.start()

    async def ensure_database() -> None:
        connection = await _asyncpg.connect(embedded.uri("postgres"))
        try:
            if not await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = 'marketplace'"):
                await connection.execute("CREATE DATABASE marketplace")
        finally:
            await connection.close()

    asyncio.run(ensure_database())
    return embedded.uri("marketplace")


async def stop_runtime(runtime: Runtime) -> None:
    """Stop background work, then the engine, the pool and the embedded server."""
    await composition.stop(runtime)
    if runtime.pool is not None:
        try:
            # close() waits for every borrowed connection; a stuck one must not hang the shutdown.
            await asyncio.wait_for(runtime.pool.close(), timeout=10)
        except TimeoutError:
            log.warning("database connections still busy after 10 s; closing them")
            runtime.pool.terminate()
        runtime.pool = None
    if runtime.embedded is not None:
        await asyncio.to_thread(runtime.embedded.stop)
        runtime.embedded = None


def _runtime_for(settings: Settings, path_prefix: str) -> Runtime:
    return Runtime(settings=settings, templates=create_environment(), path_prefix=path_prefix)


def create_app(settings: Settings | None = None, *, debug: bool = False) -> Litestar:
    """The whole service as one Litestar app."""
    settings = settings or load_settings()
    runtime = _runtime_for(settings, "")
    return Litestar(
        route_handlers=[build_router(settings)],
        state=State({RUNTIME_KEY: runtime, "error_page": _error_page}),
        lifespan=[_lifespan],
        exception_handlers={Exception: handle_exception},
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=500),
        openapi_config=OpenAPIConfig(title="Ninh Thuận Marketplace API", version="1.0.0", path="/schema",
                                     use_handler_docstrings=True),
        debug=debug,
    )


def app_from_environment() -> Litestar:
    """Factory for granian/uvicorn workers: settings from the environment."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return create_app(load_settings())


class MarketplacePlugin(InitPluginProtocol):
    """Mounts the marketplace into a portal's own Litestar app under a path prefix.

    ```python
    app = Litestar(route_handlers=[...], plugins=[MarketplacePlugin(load_settings(), path="/market")])
    ```
    The portal keeps its own middleware and error handling; ours apply only under the prefix.
    """

    def __init__(self, settings: Settings, path: str = "/marketplace") -> None:
        if not path.startswith("/") or path == "/" or path.endswith("/"):
            raise ValueError("path must start with / and not end with / (e.g. /market)")
        self.settings = settings
        self.path = path

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        runtime = _runtime_for(self.settings, self.path)
        app_config.state[RUNTIME_KEY] = runtime
        app_config.state["error_page"] = _error_page
        app_config.route_handlers.append(build_router(self.settings, self.path))
        app_config.lifespan.append(_lifespan)
        return app_config
