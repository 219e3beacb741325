"""The home page and the redirect from "/" to the visitor's language."""

import logging
from typing import Any

from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.response import Redirect
from litestar.status_codes import HTTP_302_FOUND

from marketplace.platform.dependencies import request_locale
from marketplace.platform.runtime import runtime_of
from marketplace.platform.templating import PageRenderer
from search.models import SearchFilters, SearchQuery

__all__ = ["page_router", "root_router"]

log = logging.getLogger("marketplace.home")

FEATURED_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("attractions", ("attraction",)),
    ("products", ("product", "experience")),
)


@get("/", name="home", include_in_schema=False, opt={"read_replica": True})
async def home_page(page: NamedDependency[PageRenderer], search_engine: NamedDependency[Any],
                    locale: NamedDependency[str]) -> Response:
    """The home page: search box, featured attractions and products."""
    featured: dict[str, list[Any]] = {name: [] for name, _ in FEATURED_KINDS}
    if search_engine is not None:
        for name, kinds in FEATURED_KINDS:
            try:
                result = await search_engine.search(SearchQuery(
                    locale=locale, filters=SearchFilters(kinds=kinds), sort="popularity", per_page=6))
            except Exception:  # the home page must render even while the search engine is down
                log.warning("search engine unavailable for the home page", exc_info=True)
                continue
            featured[name].extend(hit.document for hit in result.hits)
    return page.render("home.html", featured, headers={"cache-control": "private, no-cache"})


@get("/", name="root", include_in_schema=False)
async def root_redirect(request: Request[Any, Any, Any]) -> Redirect:
    """Send visitors to their language: cookie, then Accept-Language, then the default."""
    prefix = runtime_of(request.app.state).path_prefix
    return Redirect(f"{prefix}/{request_locale(request)}/", status_code=HTTP_302_FOUND,
                    headers={"vary": "Accept-Language, Cookie"})


page_router = Router(path="/", route_handlers=[home_page])
root_router = Router(path="/", route_handlers=[root_redirect])
