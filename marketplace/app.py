"""The service: `create_app(settings)` for a standalone app, `MarketplacePlugin` to mount it in a portal.

Every route of every package is mounted here from an explicit list of module-level routers: pages under
`/{lang}`, the JSON API under `/api/v1`, and a few routes (feeds, media, probes) at the root. Who may call a
route is declared on the route (`opt`) and checked by `check_route_access`, part of the router's one guard.
"""

import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from pathlib import Path

from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins import InitPluginProtocol
from litestar.static_files import create_static_files_router

import search.web as search_web
import tourism.web as tourism_web
from marketplace import composition, home, sitemaps
from marketplace.accounts import api as accounts_api
from marketplace.accounts import pages as accounts_pages
from marketplace.accounts.life import pages as account_life_pages
from marketplace.accounts.middleware import PrincipalMiddleware
from marketplace.agents import api as agents_api
from marketplace.agents import pages as agents_pages
from marketplace.catalog import api as catalog_api
from marketplace.catalog import pages as catalog_pages
from marketplace.checkout import api as checkout_api
from marketplace.checkout import pages as checkout_pages
from marketplace.featured import pages as featured_pages
from marketplace.feedback import api as feedback_api
from marketplace.feedback import pages as feedback_pages
from marketplace.media import web as media_web
from marketplace.merchants import api as merchants_api
from marketplace.merchants import pages as merchants_pages
from marketplace.notifications import pages as notifications_pages
from marketplace.opendata import api as opendata_api
from marketplace.opendata import pages as opendata_pages
from marketplace.operations import metrics as operations_metrics
from marketplace.orders import api as orders_api
from marketplace.orders import checkin_pages
from marketplace.orders import pages as orders_pages
from marketplace.payments import api as payments_api
from marketplace.payments import pages as payments_pages
from marketplace.payments.dependencies import provide_refunder
from marketplace.platform import health
from marketplace.platform.dependencies import ConnectionGuardMiddleware, app_dependencies
from marketplace.platform.error_pages import render_error_page
from marketplace.platform.errors import handle_exception
from marketplace.platform.guards import guard_every_route
from marketplace.platform.middleware import (
    CsrfUnlessTokenMiddleware,
    RequestLogMiddleware,
    SecurityHeadersMiddleware,
)
from marketplace.platform.openapi import document_refusals
from marketplace.platform.response_cache import PublicResponseCacheMiddleware, ResponseCache
from marketplace.platform.runtime import RUNTIME_KEY, Runtime, runtime_of
from marketplace.platform.settings import Settings, load_settings
from marketplace.platform.telemetry import configure_logging, tracing_middleware
from marketplace.platform.templating import create_environment
from marketplace.province import api as province_api
from marketplace.province import pages as province_pages
from marketplace.traceability import api as traceability_api
from marketplace.traceability import pages as traceability_pages
from marketplace.webhooks import api as webhooks_api
from marketplace.webhooks import pages as webhooks_pages

__all__ = ["create_app", "MarketplacePlugin", "app_from_environment", "build_router"]

log = logging.getLogger("marketplace.app")

STATIC_DIR = Path(__file__).parent / "static"
# Signed webhooks authenticate by signature, not by cookie, so CSRF does not apply to them.
CSRF_EXEMPT_SUFFIXES: tuple[str, ...] = ("/payments/stripe/webhook", "/payments/bank/webhook",
                                         notifications_pages.UNSUBSCRIBE_PATH)

# Pages, mounted under /{lang}: the order is the order of the routers' routes, nothing depends on it.
PAGE_ROUTERS: list[Router] = [
    home.page_router,
    accounts_pages.router,
    *search_web.PAGE_ROUTERS,
    *tourism_web.PAGE_ROUTERS,
    catalog_pages.router,
    checkout_pages.router,
    orders_pages.router,
    merchants_pages.router,
    agents_pages.router,
    payments_pages.router,
    notifications_pages.router,
    account_life_pages.router,
    checkin_pages.router,
    province_pages.router,
    opendata_pages.router,
    featured_pages.router,
    feedback_pages.router,
    webhooks_pages.router,
    traceability_pages.page_router,
]
# The JSON API, mounted under /api/v1 and described by the OpenAPI document.
API_ROUTERS: list[Router] = [
    accounts_api.router,
    *search_web.API_ROUTERS,
    *tourism_web.API_ROUTERS,
    catalog_api.router,
    checkout_api.router,
    merchants_api.router,
    agents_api.router,
    orders_api.router,
    payments_api.router,
    province_api.router,
    opendata_api.router,
    feedback_api.router,
    webhooks_api.router,
    traceability_api.router,
]
# Outside both: the redirect to a language, probes, feeds and short links, sitemaps, stored images.
ROOT_ROUTERS: list[Router] = [
    home.root_router,
    health.router,
    *tourism_web.ROOT_ROUTERS,
    sitemaps.router,
    media_web.router,
    traceability_pages.root_router,
]
# Outside the shared middleware: the scraper's Bearer token is the METRICS_TOKEN, not an API token.
OPERATOR_ROUTERS: list[Router] = [operations_metrics.router]


def build_router(settings: Settings, path: str = "/") -> Router:
    """Every route of every package, with the middleware, dependencies and error handling they share."""
    csrf = CSRFConfig(secret=settings.secret_key, cookie_secure=settings.secure_cookies, cookie_httponly=True,
                      cookie_samesite="lax", cookie_path=path if path != "/" else "/")
    return Router(
        path=path,
        route_handlers=[
            Router(path="/{lang:str}", route_handlers=PAGE_ROUTERS, include_in_schema=False),
            Router(path="/api/v1", route_handlers=API_ROUTERS),
            *ROOT_ROUTERS,
            create_static_files_router(path="/static", directories=[STATIC_DIR], include_in_schema=False,
                                       name="static", send_as_attachment=False),
        ],
        # `refunder`: orders cannot import payments, so cancelling a paid order gets its refund from here.
        dependencies={**app_dependencies(), "refunder": Provide(provide_refunder)},
        guards=[guard_every_route],
        middleware=[
            RequestLogMiddleware,
            DefineMiddleware(SecurityHeadersMiddleware, frame_ancestors=settings.frame_ancestors,
                             hsts=settings.secure_cookies),
            DefineMiddleware(CsrfUnlessTokenMiddleware, config=csrf, exempt_paths=CSRF_EXEMPT_SUFFIXES),
            # Inside CSRF (which sets the visitor's token), before the principal: anonymous reads only.
            DefineMiddleware(PublicResponseCacheMiddleware, cache=ResponseCache()),
            PrincipalMiddleware,
        ],
        exception_handlers={Exception: handle_exception},
    )


@contextlib.asynccontextmanager
async def _lifespan(app: Litestar) -> AsyncIterator[None]:
    runtime = runtime_of(app.state)
    await composition.start_runtime(runtime)
    try:
        yield
    finally:
        await composition.stop_runtime(runtime)


def _document_refusals(app: Litestar) -> None:
    document_refusals(app, CSRF_EXEMPT_SUFFIXES)


def _runtime_for(settings: Settings, path_prefix: str) -> Runtime:
    return Runtime(settings=settings, templates=create_environment(), path_prefix=path_prefix)


def create_app(settings: Settings | None = None, *, debug: bool = False) -> Litestar:
    """The whole service as one Litestar app."""
    settings = settings or load_settings()
    runtime = _runtime_for(settings, "")
    return Litestar(
        route_handlers=[build_router(settings), *OPERATOR_ROUTERS],
        # App-level: Router registration deep-copies its middleware, which a tracer provider cannot survive.
        # App-level too: the guard must also cover routers registered on the app later (see its docstring).
        middleware=[ConnectionGuardMiddleware, *tracing_middleware(settings)],
        state=State({RUNTIME_KEY: runtime, "error_page": render_error_page}),
        lifespan=[_lifespan],
        # The refusals of each operation, derived from the routes once they are all registered.
        on_startup=[_document_refusals],
        exception_handlers={Exception: handle_exception},
        compression_config=CompressionConfig(backend="brotli", brotli_gzip_fallback=True, minimum_size=500),
        # None: Litestar's default logging config would replace the JSON handler configure_logging() set with
        # its own text format in every worker, so the request log was not JSON in production.
        logging_config=None,
        openapi_config=OpenAPIConfig(title="Ninh Thuận Marketplace API", version="1.0.0", path="/schema",
                                     use_handler_docstrings=True),
        debug=debug,
    )


def freeze_startup_objects(app: Litestar) -> None:
    """Move what exists once the worker has started (routes, templates, catalogs, pools) out of the garbage
    collector's sight: its full collections walked all of it, pausing the worker for about 100 ms at random.

    Measured with `python -m marketplace.bench --duration 5`: p99 at 64 connections went from 101-118 ms to
    17 ms on the product, events and suggest routes, with the same throughput. What is created later (kept
    responses, requests) is collected as before; garbage left from start-up is collected once first.
    """
    gc.collect()
    gc.freeze()


def app_from_environment() -> Litestar:
    """Factory for granian/uvicorn workers: settings from the environment."""
    configure_logging()
    app = create_app(load_settings())
    app.on_startup.append(freeze_startup_objects)  # a serving worker only, not every app a test builds
    return app


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
        app_config.state["error_page"] = render_error_page
        app_config.route_handlers.append(build_router(self.settings, self.path))
        app_config.route_handlers.append(Router(path=self.path, route_handlers=OPERATOR_ROUTERS))
        app_config.middleware.extend([ConnectionGuardMiddleware, *tracing_middleware(self.settings)])
        app_config.lifespan.append(_lifespan)
        app_config.on_startup.append(_document_refusals)
        return app_config
