"""Search documents, queries and results: the types every engine speaks; and the query log's report."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec

from i18n import LocalizedText

__all__ = [
    "DocumentKind",
    "DOCUMENT_KINDS",
    "GeoPoint",
    "SearchDocument",
    "GeoFilter",
    "SearchFilters",
    "SearchQuery",
    "SearchHit",
    "FacetCount",
    "SearchResult",
    "Suggestion",
    "SortOrder",
    "FACET_FIELDS",
    "QueryStat",
    "QueryTotals",
    "QueryReport",
]

DocumentKind = Literal["product", "merchant", "attraction", "event", "experience"]
DOCUMENT_KINDS: tuple[str, ...] = ("product", "merchant", "attraction", "event", "experience")
SortOrder = Literal["relevance", "distance", "price_asc", "price_desc", "rating", "popularity", "newest"]
FACET_FIELDS: tuple[str, ...] = ("kind", "category", "commune_code", "ocop_stars")


class GeoPoint(msgspec.Struct, frozen=True):
    """A WGS84 point."""

    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lng: Annotated[float, msgspec.Meta(ge=-180, le=180)]


class SearchDocument(msgspec.Struct, frozen=True, kw_only=True):
    """One listing as search sees it. `id` is "<kind>:<key>", e.g. "product:42" or "attraction:po-klong-garai"."""

    id: str
    kind: DocumentKind
    slug: str
    name: LocalizedText
    summary: LocalizedText = msgspec.field(default_factory=dict)
    text: LocalizedText = msgspec.field(default_factory=dict)
    """Longer text (descriptions, stories) searched with a lower weight than names."""
    category: str | None = None
    commune_code: int | None = None
    point: GeoPoint | None = None
    price_min: int | None = None
    """Lowest price in VND (no minor unit)."""
    price_max: int | None = None
    rating: float | None = None
    ocop_stars: int | None = None
    popularity: int = 0
    available: bool = True
    """False when sold out; still searchable, sorted after available listings."""
    published: bool = True
    """Unpublished documents never appear in results; engines may delete them instead."""
    image_url: str | None = None
    url_path: str = ""
    """Path after the locale prefix, e.g. "/products/nho-xanh-ninh-thuan"."""
    merchant_id: int | None = None
    updated_at: datetime | None = None


class GeoFilter(msgspec.Struct, frozen=True):
    """Only documents within `radius_m` metres of the point."""

    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)]
    lng: Annotated[float, msgspec.Meta(ge=-180, le=180)]
    radius_m: Annotated[int, msgspec.Meta(gt=0, le=500_000)] = 10_000


class SearchFilters(msgspec.Struct, frozen=True, kw_only=True):
    """Filters are ANDed across fields and ORed within one field's values."""

    kinds: tuple[DocumentKind, ...] = ()
    categories: tuple[str, ...] = ()
    commune_codes: tuple[int, ...] = ()
    price_min: int | None = None
    price_max: int | None = None
    min_rating: float | None = None
    min_ocop_stars: int | None = None
    available_only: bool = False
    merchant_id: int | None = None


class SearchQuery(msgspec.Struct, frozen=True, kw_only=True):
    """What a visitor asked for."""

    text: Annotated[str, msgspec.Meta(max_length=200)] = ""
    locale: str = "vi"
    filters: SearchFilters = SearchFilters()
    facets: tuple[str, ...] = ()
    """Facet fields wanted, from FACET_FIELDS."""
    geo: GeoFilter | None = None
    sort: SortOrder = "relevance"
    page: Annotated[int, msgspec.Meta(ge=1, le=1000)] = 1
    per_page: Annotated[int, msgspec.Meta(ge=1, le=100)] = 20
    exclude_ids: tuple[str, ...] = ()


class SearchHit(msgspec.Struct, frozen=True, kw_only=True):
    """One result: the document, its highlighted snippet, its score and distance when geo was asked."""

    document: SearchDocument
    highlight: str = ""
    """The listing's name in the visitor's locale (with fallback), matches wrapped in <mark>, HTML-escaped.
    Always the name, so a result is never titled with its description."""
    snippet: str = ""
    """The matching part of the summary or longer text, marked the same way; empty when only the name matched."""
    snippet_locale: str | None = None
    """The locale the snippet is written in (it may differ from the visitor's)."""
    score: float = 0.0
    distance_m: float | None = None


class FacetCount(msgspec.Struct, frozen=True):
    value: str
    count: int


class SearchResult(msgspec.Struct, frozen=True, kw_only=True):
    """A page of hits with facet counts and an estimated total."""

    hits: list[SearchHit]
    facets: dict[str, list[FacetCount]] = msgspec.field(default_factory=dict)
    estimated_total: int = 0
    page: int = 1
    per_page: int = 20
    took_ms: float = 0.0
    did_you_mean: str | None = None


class Suggestion(msgspec.Struct, frozen=True):
    """An autocomplete suggestion in the visitor's locale."""

    text: str
    kind: DocumentKind
    url_path: str


class QueryStat(msgspec.Struct, frozen=True):
    """How often a query was searched and how often it found nothing."""

    query: str
    searches: int
    average_results: int
    without_results: int


class QueryTotals(msgspec.Struct, frozen=True, kw_only=True):
    """How many searches a period had, and how many of them found nothing."""

    searches: int
    without_results: int


class QueryReport(msgspec.Struct, frozen=True, kw_only=True):
    """What visitors searched for over a period, for the province's indicators."""

    since: datetime
    locale: str | None
    searches: int
    without_results: int
    top: list[QueryStat]
    not_found: list[QueryStat]
    """Queries that found nothing at least once: demand the listings do not meet yet."""
