"""The home page and the redirect from "/" to the visitor's language."""

from datetime import UTC, datetime
from typing import Any

import asyncpg
from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND

from marketplace.featured import service as featured
from marketplace.platform.dependencies import request_locale
from marketplace.platform.runtime import runtime_of
from marketplace.platform.templating import PageRenderer

__all__ = ["page_router", "root_router"]


@get("/", name="home", include_in_schema=False, opt={"read_replica": True, "public_cache": True})
async def home_page(page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection],
                    locale: NamedDependency[str]) -> Response:
    """The home page: search box, featured attractions and products (editors' picks, then popularity)."""
    lists = await featured.featured_documents(db, locale, datetime.now(UTC))
    return page.render("home.html", dict(lists), headers={"cache-control": "private, no-cache"})


@get("/", name="root", include_in_schema=False)
async def root_redirect(request: Request[Any, Any, Any]) -> Redirect:
    """Send visitors to their language: cookie, then Accept-Language, then the default."""
    prefix = runtime_of(request.app.state).path_prefix
    return Redirect(f"{prefix}/{request_locale(request)}/", status_code=HTTP_302_FOUND,
                    headers={"vary": "Accept-Language, Cookie"})


page_router = Router(path="/", route_handlers=[home_page])
root_router = Router(path="/", route_handlers=[root_redirect])
