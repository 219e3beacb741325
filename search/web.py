"""Search routes: the JSON API under /api/v1/search and the search page under /{locale}/search.

The app mounts `PAGE_ROUTERS` under /{locale} and `API_ROUTERS` under /api/v1. Who may call a route is declared
in its `opt` (`{"roles": ("editor",)}`) and checked by the app's one access guard.
"""

from typing import Annotated, Any
from urllib.parse import urlencode

import asyncpg
from litestar import Controller, Request, Response, Router, get
from litestar.di import NamedDependency, Provide
from litestar.params import QueryParameter

from search import service
from search.engine import SearchEngine
from search.errors import InvalidSearch, SearchUnavailable
from search.labels import category_label
from search.models import DOCUMENT_KINDS, FACET_FIELDS, QueryReport, SearchQuery, SearchResult, Suggestion

__all__ = [
    "PAGE_ROUTERS",
    "API_ROUTERS",
    "page_router",
    "api_router",
    "SearchApi",
    "SearchPages",
    "provide_search_query",
]

# The page's own links and form fields; anything else in the query string is ignored.
PAGE_PARAMETERS = ("q", "kind", "category", "commune", "price_min", "price_max", "min_rating", "ocop", "available",
                   "lat", "lng", "radius", "sort", "per_page")
NUMBER_LENGTH = 16
# What `_number` accepts, so the OpenAPI document does not promise that any string will do.
INTEGER_PATTERN = r"^\s*([0-9]+)?\s*$"
DECIMAL_PATTERN = r"^\s*([0-9]+(\.[0-9]+)?)?\s*$"
SIGNED_DECIMAL_PATTERN = r"^\s*(-?[0-9]+(\.[0-9]+)?)?\s*$"
MAX_PAGE = 50


def _number(value: str | None, name: str, kind: type[int] | type[float]) -> Any:
    """Empty form fields mean "no filter"; anything else must be a number."""
    if value is None or not value.strip():
        return None
    try:
        return kind(value.strip())
    except ValueError:
        raise InvalidSearch(f"{name} must be a number", {"parameter": name}) from None


async def provide_search_query(
    request: Request[Any, Any, Any],
    locale: NamedDependency[str],
    q: Annotated[str, QueryParameter(max_length=200, description="What to search for, in any language")] = "",
    kind: Annotated[list[str] | None, QueryParameter(max_items=5, description="product, merchant, attraction, "
                                                     "event, experience; repeat for several")] = None,
    category: Annotated[list[str] | None, QueryParameter(max_items=20)] = None,
    commune: Annotated[list[int] | None, QueryParameter(max_items=20, description="Ward or commune code")] = None,
    price_min: Annotated[str | None, QueryParameter(max_length=NUMBER_LENGTH, pattern=INTEGER_PATTERN,
                                                           description="VND")] = None,
    price_max: Annotated[str | None, QueryParameter(max_length=NUMBER_LENGTH, pattern=INTEGER_PATTERN,
                                                           description="VND")] = None,
    min_rating: Annotated[str | None, QueryParameter(max_length=NUMBER_LENGTH, pattern=DECIMAL_PATTERN)] = None,
    ocop: Annotated[str | None, QueryParameter(max_length=1, pattern=INTEGER_PATTERN,
                                                 description="Lowest OCOP star rating")] = None,
    available: Annotated[bool, QueryParameter(description="Only listings that are not sold out")] = False,
    lat: Annotated[str | None, QueryParameter(max_length=NUMBER_LENGTH, pattern=SIGNED_DECIMAL_PATTERN)] = None,
    lng: Annotated[str | None, QueryParameter(max_length=NUMBER_LENGTH, pattern=SIGNED_DECIMAL_PATTERN)] = None,
    radius: Annotated[int | None, QueryParameter(ge=100, le=200_000, description="Metres around lat,lng")] = None,
    sort: Annotated[str, QueryParameter(max_length=16, enum=list(service.SORT_ORDERS))] = "relevance",
    per_page: Annotated[int, QueryParameter(ge=1, le=50)] = 20,
    facet: Annotated[list[str] | None, QueryParameter(max_items=4, description="Facets to count "
                                                      "(default: all)")] = None,
) -> SearchQuery:
    """The search query the request's parameters describe (shared by the page and the API).

    `page` (1-50) is read from the query string directly: as a declared parameter its name would collide
    with the app's `page` dependency (the page renderer).
    """
    page_number = _number(request.query_params.get("page"), "page", int)
    page_number = 1 if page_number is None else page_number
    if not 1 <= page_number <= MAX_PAGE:
        raise InvalidSearch(f"page must be between 1 and {MAX_PAGE}", {"parameter": "page"})
    return service.build_query(
        text=q, locale=locale, kinds=kind or (), categories=category or (), communes=commune or (),
        price_min=_number(price_min, "price_min", int), price_max=_number(price_max, "price_max", int),
        min_rating=_number(min_rating, "min_rating", float), min_ocop_stars=_number(ocop, "ocop", int),
        available_only=available, lat=_number(lat, "lat", float), lng=_number(lng, "lng", float), radius_m=radius,
        sort=sort, page=page_number, per_page=per_page, facets=facet if facet is not None else FACET_FIELDS,
    )


def _note_logged(request: Request[Any, Any, Any], query: SearchQuery, result: SearchResult) -> None:
    """Leave what was logged where a cache serving this answer again finds it (it must log each search)."""
    logged = service.logged_search(query, result)
    if logged is not None:
        request.scope[service.LOGGED_SEARCH_SCOPE_KEY] = logged  # type: ignore[literal-required]


def _engine(search_engine: SearchEngine | None) -> SearchEngine:
    if search_engine is None:
        raise SearchUnavailable("search is not configured")
    return search_engine


class SearchApi(Controller):
    """Search, autocomplete and the query report as JSON.

    Search handlers take `pool`, not the per-request `db` transaction: when Litestar rejects a parameter
    of the `search_query` dependency, it never finishes a generator dependency resolved beside it, and
    `db`'s connection would leak. The query log is one INSERT in its own transaction instead.
    """

    path = "/search"
    tags = ["search"]
    dependencies = {"search_query": Provide(provide_search_query)}

    @get("/", name="search.api.search", opt={"public_cache": True})
    async def search(
        self,
        request: Request[Any, Any, Any],
        search_engine: NamedDependency[Any],
        pool: NamedDependency[asyncpg.Pool],
        search_query: NamedDependency[SearchQuery],
    ) -> SearchResult:
        """Listings matching the text and filters, with highlights, facet counts and an estimated total."""
        result = await service.run_search(_engine(search_engine), pool, search_query)
        _note_logged(request, search_query, result)
        return result

    @get("/suggest", name="search.api.suggest", opt={"public_cache": True})
    async def suggest(
        self,
        search_engine: NamedDependency[Any],
        locale: NamedDependency[str],
        q: Annotated[str, QueryParameter(max_length=100, description="What has been typed so far")] = "",
    ) -> Response[list[Suggestion]]:
        """Up to 8 listing names for search-as-you-type, in the visitor's locale."""
        suggestions = await service.suggest(_engine(search_engine), q, locale)
        return Response(suggestions, headers={"cache-control": "public, max-age=60", "vary": "Accept-Language"})

    @get("/queries", name="search.api.queries", opt={"roles": ("editor",)})
    async def query_report(
        self,
        db: NamedDependency[asyncpg.Connection],
        pool: NamedDependency[asyncpg.Pool],
        days: Annotated[int, QueryParameter(ge=1, le=366)] = 30,
        report_locale: Annotated[str | None, QueryParameter(name="in_locale", max_length=2)] = None,
    ) -> QueryReport:
        """What visitors searched for, and what they searched for and did not find (editors only)."""
        await service.flush_search_log(pool)  # this process's last seconds too (other servers' within 2 s)
        return await service.query_report(db, days=days, locale=report_locale)


class SearchPages(Controller):
    """The search page: results, facets as links and check boxes, paging, "did you mean"."""

    path = "/search"
    dependencies = {"search_query": Provide(provide_search_query)}

    @get("/", name="search.page", opt={"public_cache": True})
    async def results(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[Any],
        search_engine: NamedDependency[Any],
        pool: NamedDependency[asyncpg.Pool],
        search_query: NamedDependency[SearchQuery],
    ) -> Response[Any]:
        """Results for ?q= with the filters in the query string; works without JavaScript."""
        pairs = [(k, v) for k, v in request.query_params.multi_items() if k in PAGE_PARAMETERS and v != ""]
        result: SearchResult | None = None
        unavailable = False
        try:
            result = await service.run_search(_engine(search_engine), pool, search_query)
            _note_logged(request, search_query, result)
        except SearchUnavailable:
            unavailable = True
        context = {
            "query": search_query,
            "result": result,
            "unavailable": unavailable,
            "links": SearchLinks(pairs),
            "kinds": DOCUMENT_KINDS,
            "sorts": service.SORT_ORDERS,
            "commune_label": service.commune_label,
            "category_label": category_label,
        }
        return page.render("search/results.html", context, status_code=503 if unavailable else 200,
                           headers={"cache-control": "no-store"} if unavailable else None)


class SearchLinks:
    """Query strings for the page's links: toggling a facet value, another page, another query."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def has(self, key: str, value: object) -> bool:
        return (key, str(value)) in self.pairs

    def toggle(self, key: str, value: object) -> str:
        pair = (key, str(value))
        pairs = [p for p in self.pairs if p != pair] if pair in self.pairs else [*self.pairs, pair]
        return "?" + urlencode(pairs)

    def only(self, key: str, value: object | None) -> str:
        pairs = [p for p in self.pairs if p[0] != key]
        if value is not None:
            pairs.append((key, str(value)))
        return "?" + urlencode(pairs)

    def page(self, number: int) -> str:
        return "?" + urlencode([*self.pairs, ("page", str(number))] if number > 1 else self.pairs)

    def text(self, text: str) -> str:
        return self.only("q", text)

    def hidden(self, exclude: tuple[str, ...]) -> list[tuple[str, str]]:
        """Pairs to carry as hidden fields in a form that edits the others."""
        return [p for p in self.pairs if p[0] not in exclude]


page_router = Router(path="/", route_handlers=[SearchPages])
"""Mounted under /{locale}."""
api_router = Router(path="/", route_handlers=[SearchApi])
"""Mounted under /api/v1."""
PAGE_ROUTERS = [page_router]
API_ROUTERS = [api_router]
