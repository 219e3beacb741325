"""MeilisearchEngine: the same queries and results on a Meilisearch server (production at scale)."""

import hashlib
import html
import math
import time
from collections.abc import Sequence
from typing import Any

import httpx2
import msgspec
from meilisearch_python_sdk import AsyncClient
from meilisearch_python_sdk.errors import (
    MeilisearchApiError,
    MeilisearchCommunicationError,
    MeilisearchError,
    MeilisearchTimeoutError,
)
from meilisearch_python_sdk.models.settings import (
    Faceting,
    LocalizedAttributes,
    MeilisearchSettings,
    MinWordSizeForTypos,
    Pagination,
    TypoTolerance,
)

from i18n import SUPPORTED_LOCALES, localize
from i18n.text import FALLBACK_CHAIN
from search.dictionary import synonyms
from search.errors import InvalidSearch, SearchError, SearchUnavailable
from search.models import FACET_FIELDS, FacetCount, SearchDocument, SearchHit, SearchQuery, SearchResult, Suggestion
from search.text import MIN_TYPO_LENGTH, spellings, typed_words

__all__ = ["MeilisearchEngine", "index_settings", "to_meili_document", "search_request", "meili_uid"]

# Meilisearch names languages by ISO 639-3 code.
LOCALE_CODES: dict[str, str] = {
    "vi": "vie", "en": "eng", "zh": "cmn", "ko": "kor", "ja": "jpn", "ru": "rus", "fr": "fra", "ar": "ara",
}
TEXT_FIELDS = ("name", "summary", "text")
MAX_TOTAL_HITS = 1000
"""The same cap as the PostgreSQL engine's candidate set: deeper pages are empty on both."""
# Private-use characters cannot occur in listings; they mark matches until the text is HTML-escaped.
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"
_SORTS: dict[str, str] = {
    "price_asc": "price_min:asc",
    "price_desc": "price_max:desc",
    "rating": "rating:desc",
    "popularity": "popularity:desc",
    "newest": "updated_at:desc",
}
_to_builtins = msgspec.to_builtins
SPELLING_WEIGHT = 0.05
"""Meilisearch folds tone marks before ranking; within a page, a listing holding the query's words as typed
moves up by at most this much of its ranking score (0..1), as the PostgreSQL engine's spelling bonus does."""
_EARTH_RADIUS_M = 6_371_008.8


def _distance_m(hit: "_Hit", query: SearchQuery) -> float | None:
    """Meilisearch's distance when it sorted by one, else the great-circle distance from the hit's `_geo`.

    Meilisearch only returns `_geoDistance` for a `_geoPoint` sort, and only when `_geo` is retrieved; a radius
    filter alone gives none, whereas the PostgreSQL engine reports a distance for every query with a point.
    """
    if hit.geo_distance is not None:
        return hit.geo_distance
    point = hit.geo
    if query.geo is None or point is None:
        return None
    lat1, lng1 = math.radians(query.geo.lat), math.radians(query.geo.lng)
    lat2, lng2 = math.radians(point.lat), math.radians(point.lng)
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    return 2 * _EARTH_RADIUS_M * math.asin(math.sqrt(a))


def meili_uid(document_id: str) -> str:
    """A primary key Meilisearch accepts (letters, digits, - and _) for any "<kind>:<key>" id."""
    return hashlib.sha256(document_id.encode()).hexdigest()[:40]


def index_settings() -> MeilisearchSettings:
    """Searchable fields in ranking order, per-locale tokenisation, filters, sorts, typos like PostgreSQL's."""
    searchable = [f"{field}_{locale}" for field in TEXT_FIELDS for locale in SUPPORTED_LOCALES]
    return MeilisearchSettings(
        searchable_attributes=searchable,
        filterable_attributes=[
            "id", "kind", "category", "commune_code", "price_min", "price_max", "rating", "ocop_stars",
            "available", "merchant_id", "_geo",
        ],
        sortable_attributes=["available", "price_min", "price_max", "rating", "popularity", "updated_at", "_geo"],
        # `sort` first: sold-out listings go after available ones, and an explicit sort order wins.
        ranking_rules=["sort", "words", "typo", "proximity", "attribute", "exactness", "popularity:desc"],
        localized_attributes=[
            LocalizedAttributes(locales=[code], attribute_patterns=[f"*_{locale}"])
            for locale, code in LOCALE_CODES.items()
        ],
        typo_tolerance=TypoTolerance(
            enabled=True,
            min_word_size_for_typos=MinWordSizeForTypos(one_typo=MIN_TYPO_LENGTH, two_typos=9),
        ),
        faceting=Faceting(max_values_per_facet=100),
        # The multilingual dictionary: "grape", "葡萄" or "포도" finds a listing written only in Vietnamese.
        synonyms=synonyms(),
        pagination=Pagination(max_total_hits=MAX_TOTAL_HITS),
    )


def to_meili_document(document: SearchDocument) -> dict[str, Any]:
    """Flat fields per locale for searching and filtering, plus the whole document to rebuild hits."""
    flat: dict[str, Any] = {
        "uid": meili_uid(document.id),
        "id": document.id,
        "kind": document.kind,
        "category": document.category,
        "commune_code": document.commune_code,
        "price_min": document.price_min,
        "price_max": document.price_max,
        "rating": document.rating,
        "ocop_stars": document.ocop_stars,
        "popularity": document.popularity,
        "available": document.available,
        "merchant_id": document.merchant_id,
        "updated_at": int(document.updated_at.timestamp()) if document.updated_at else None,
        "document": _to_builtins(document),
    }
    for field in TEXT_FIELDS:
        for locale, text in getattr(document, field).items():
            if locale in LOCALE_CODES and text:
                flat[f"{field}_{locale}"] = text
    if document.point is not None:
        flat["_geo"] = {"lat": document.point.lat, "lng": document.point.lng}
    return flat


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _filters(query: SearchQuery) -> list[str]:
    f = query.filters
    clauses: list[str] = []
    if f.kinds:
        clauses.append("kind IN [" + ", ".join(_quote(kind) for kind in f.kinds) + "]")
    if f.categories:
        clauses.append("category IN [" + ", ".join(_quote(c) for c in f.categories) + "]")
    if f.commune_codes:
        clauses.append("commune_code IN [" + ", ".join(str(int(c)) for c in f.commune_codes) + "]")
    if f.price_min is not None:
        clauses.append(f"price_max >= {int(f.price_min)}")
    if f.price_max is not None:
        clauses.append(f"price_min <= {int(f.price_max)}")
    if f.min_rating is not None:
        clauses.append(f"rating >= {float(f.min_rating)}")
    if f.min_ocop_stars is not None:
        clauses.append(f"ocop_stars >= {int(f.min_ocop_stars)}")
    if f.available_only:
        clauses.append("available = true")
    if f.merchant_id is not None:
        clauses.append(f"merchant_id = {int(f.merchant_id)}")
    if query.exclude_ids:
        clauses.append("id NOT IN [" + ", ".join(_quote(i) for i in query.exclude_ids) + "]")
    if query.geo is not None:
        clauses.append(f"_geoRadius({query.geo.lat}, {query.geo.lng}, {int(query.geo.radius_m)})")
    return clauses


def _sort(query: SearchQuery) -> list[str]:
    order = ["available:desc"]
    if query.sort == "distance" and query.geo is not None:
        order.append(f"_geoPoint({query.geo.lat}, {query.geo.lng}):asc")
    elif query.sort in _SORTS:
        order.append(_SORTS[query.sort])
    return order


def _display_locales(locale: str) -> list[str]:
    return list(dict.fromkeys([locale, *FALLBACK_CHAIN, *SUPPORTED_LOCALES]))


def search_request(query: SearchQuery) -> dict[str, Any]:
    """The JSON body of `POST /indexes/{uid}/search` that expresses this query."""
    for facet in query.facets:
        if facet not in FACET_FIELDS:
            raise InvalidSearch(f"unknown facet {facet!r}", {"facets": list(FACET_FIELDS)})
    highlighted = [f"{field}_{loc}" for field in ("name", "summary") for loc in _display_locales(query.locale)]
    return {
        "q": query.text,
        "offset": (query.page - 1) * query.per_page,
        "limit": query.per_page,
        "filter": _filters(query) or None,
        "facets": list(dict.fromkeys(query.facets)) or None,
        "sort": _sort(query),
        # `_geo` too when there is a point: without it Meilisearch leaves `_geoDistance` out of every hit.
        "attributesToRetrieve": ["document", "_geo"] if query.geo is not None else ["document"],
        "attributesToHighlight": highlighted,
        "highlightPreTag": _MARK_OPEN,
        "highlightPostTag": _MARK_CLOSE,
        "showRankingScore": True,
        "locales": [LOCALE_CODES.get(query.locale, "vie")],
    }


class _Point(msgspec.Struct):
    lat: float
    lng: float


class _Hit(msgspec.Struct):
    """One hit of a search answer, decoded straight into the listing's own type."""

    document: SearchDocument
    formatted: dict[str, Any] = msgspec.field(default_factory=dict, name="_formatted")
    ranking_score: float = msgspec.field(default=0.0, name="_rankingScore")
    geo_distance: float | None = msgspec.field(default=None, name="_geoDistance")
    geo: _Point | None = msgspec.field(default=None, name="_geo")


class _Answer(msgspec.Struct):
    hits: list[_Hit]
    processing_time_ms: float = msgspec.field(default=0.0, name="processingTimeMs")
    estimated_total_hits: int | None = msgspec.field(default=None, name="estimatedTotalHits")
    facet_distribution: dict[str, dict[str, int]] | None = msgspec.field(default=None, name="facetDistribution")


_encode_json = msgspec.json.Encoder().encode
_decode_answer = msgspec.json.Decoder(_Answer).decode


def _marked(text: str) -> str:
    return html.escape(text).replace(_MARK_OPEN, "<mark>").replace(_MARK_CLOSE, "</mark>")


def _highlight(formatted: dict[str, Any], locale: str) -> tuple[str, str, str | None]:
    """The name in the visitor's locale (with fallbacks), always; and the matching summary, if the name did not
    match, with its locale."""
    locales = _display_locales(locale)
    name = next((formatted[f"name_{loc}"] for loc in locales if formatted.get(f"name_{loc}")), "")
    if _MARK_OPEN not in name:
        for loc in locales:
            summary = formatted.get(f"summary_{loc}")
            if summary and _MARK_OPEN in summary:
                return _marked(name), _marked(summary), loc
    return _marked(name), "", None


def _spelling_bonus(document: SearchDocument, words: list[str]) -> float:
    """The share of the query's words found as typed in the names (counted double) and other text."""
    if not words:
        return 0.0
    names = typed_words(" ".join(document.name.values()))
    others = typed_words(" ".join([*document.summary.values(), *document.text.values()]))
    in_names = sum(1 for word in words if word in names)
    in_others = sum(1 for word in words if word in others)
    return (2 * in_names + in_others) / (3 * len(words))


class MeilisearchEngine:
    """Listings in one Meilisearch index, through meilisearch-python-sdk's async client."""

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        *,
        index_uid: str = "listings",
        timeout: int = 10,
        task_timeout_ms: int = 60_000,
        batch_size: int = 1000,
    ) -> None:
        # Without this httpx offers brotli, and Meilisearch answers with a compressed body written in
        # several small chunks; on a kept-alive connection Nagle's algorithm and the peer's delayed ACK
        # then hold each answer for about 40 ms. Uncompressed answers arrive in one write: 2-4 ms.
        self.client = AsyncClient(url, api_key, timeout=timeout, custom_headers={"Accept-Encoding": "identity"})
        self.index_uid = index_uid
        # Meilisearch refuses attributesToSearchOn naming a field no document has yet (a locale nobody
        # wrote a name in), so suggestions search the name fields that exist, re-read every minute.
        self._name_fields: list[str] | None = None
        self._name_fields_read_at = 0.0
        self.last_processing_ms: float | None = None
        self.task_timeout_ms = task_timeout_ms
        self.batch_size = batch_size

    @property
    def _index(self) -> Any:
        # Looked up on each use so a replaced HTTP client (tests use a mock transport) is honoured.
        return self.client.index(self.index_uid)

    async def _wait(self, task: Any) -> None:
        await self.client.wait_for_task(task.task_uid, timeout_in_ms=self.task_timeout_ms, raise_for_status=True)

    async def _call(self, operation: Any) -> Any:
        try:
            return await operation
        except (MeilisearchCommunicationError, MeilisearchTimeoutError) as error:
            raise SearchUnavailable(f"Meilisearch is unreachable: {error}") from error
        except MeilisearchApiError as error:
            raise SearchError(f"Meilisearch refused the request: {error}") from error
        except MeilisearchError as error:
            raise SearchError(f"Meilisearch failed: {error}") from error

    async def setup(self) -> None:
        """Create the index if needed and apply the settings; waits until Meilisearch has applied them."""
        await self._call(self.client.get_or_create_index(self.index_uid, primary_key="uid"))
        task = await self._call(self._index.update_settings(index_settings()))
        await self._call(self._wait(task))

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        """Replace documents in batches and wait for each task; unpublished ones are deleted."""
        latest = {document.id: document for document in documents}
        published = [to_meili_document(d) for d in latest.values() if d.published]
        removed = [d.id for d in latest.values() if not d.published]
        for start in range(0, len(published), self.batch_size):
            batch = published[start : start + self.batch_size]
            task = await self._call(self._index.add_documents(batch, primary_key="uid"))
            await self._call(self._wait(task))
        if removed:
            await self.delete(removed)

    async def delete(self, document_ids: Sequence[str]) -> None:
        """Delete by id and wait for the task."""
        uids = sorted({meili_uid(document_id) for document_id in document_ids})
        for start in range(0, len(uids), self.batch_size):
            task = await self._call(self._index.delete_documents(uids[start : start + self.batch_size]))
            await self._call(self._wait(task))

    async def search(self, query: SearchQuery) -> SearchResult:
        """Translate the query, run it, and map the answer onto SearchResult.

        The request goes through the SDK's own HTTP client (base URL, key, timeouts), but the answer is decoded
        by msgspec straight into listings: the SDK's pydantic models and a second conversion of every hit took
        1.7 ms per search, as much as the HTTP exchange itself (measured on 20,000 listings).
        """
        started = time.perf_counter()
        body = _encode_json(search_request(query))
        try:
            response = await self.client.http_client.post(
                f"indexes/{self.index_uid}/search", content=body, headers={"content-type": "application/json"})
        except httpx2.TransportError as error:
            raise SearchUnavailable(f"Meilisearch is unreachable: {error!r}") from error
        if response.status_code >= 400:
            raise SearchError(f"Meilisearch refused the search ({response.status_code}): {response.text[:300]}")
        try:
            answer = _decode_answer(response.content)
        except msgspec.ValidationError as error:
            raise SearchError(f"Meilisearch answered something unexpected: {error}") from error
        self.last_processing_ms = answer.processing_time_ms  # what the benchmark subtracts from its timing
        words = spellings(query.text)
        hits = [self._hit(hit, query) for hit in answer.hits]
        if query.sort == "relevance" and words:
            hits.sort(key=lambda hit: (not hit.document.available,
                                       -(hit.score + SPELLING_WEIGHT * _spelling_bonus(hit.document, words))))
        facets = {
            name: sorted(
                (FacetCount(str(value), int(count)) for value, count in (answer.facet_distribution or {})
                 .get(name, {}).items()),
                key=lambda facet: (-facet.count, facet.value),
            )
            for name in query.facets
        }
        return SearchResult(
            hits=hits,
            facets=facets,
            estimated_total=answer.estimated_total_hits or 0,
            page=query.page,
            per_page=query.per_page,
            took_ms=round((time.perf_counter() - started) * 1000, 2),
        )

    @staticmethod
    def _hit(hit: _Hit, query: SearchQuery) -> SearchHit:
        title, snippet, snippet_locale = _highlight(hit.formatted, query.locale)
        return SearchHit(document=hit.document, highlight=title, snippet=snippet, snippet_locale=snippet_locale,
                         score=hit.ranking_score, distance_m=_distance_m(hit, query))

    async def suggest(self, text: str, locale: str, limit: int = 8) -> list[Suggestion]:
        """Names matching what is typed so far, in the visitor's locale."""
        limit = max(1, min(limit, 8))
        if not text.strip():
            return []
        answer = None
        for refresh in (False, True):
            fields = await self._present_name_fields(refresh)
            if not fields:
                return []
            try:
                answer = await self._call(
                    self._index.search(
                        text, limit=limit, attributes_to_retrieve=["document"], sort=["available:desc"],
                        attributes_to_search_on=fields, locales=[LOCALE_CODES.get(locale, "vie")],
                    )
                )
                break
            except SearchError as error:
                if refresh or "invalid_search_attributes_to_search_on" not in str(error):
                    raise
        assert answer is not None
        suggestions: list[Suggestion] = []
        for hit in answer.hits:
            document = msgspec.convert(hit["document"], SearchDocument)
            label = localize(document.name, locale)
            if label and label not in {s.text for s in suggestions}:
                suggestions.append(Suggestion(label, document.kind, document.url_path))
        return suggestions

    async def _present_name_fields(self, refresh: bool) -> list[str]:
        """The `name_<locale>` fields at least one document has (read from the index's field distribution)."""
        if refresh or self._name_fields is None or time.monotonic() - self._name_fields_read_at > 60:
            stats = await self._call(self._index.get_stats())
            present = set(stats.field_distribution or {})
            self._name_fields = [f"name_{loc}" for loc in SUPPORTED_LOCALES if f"name_{loc}" in present]
            self._name_fields_read_at = time.monotonic()
        return self._name_fields

    async def get_ids(self) -> set[str]:
        """Every document id, read page by page."""
        found: set[str] = set()
        offset = 0
        while True:
            page = await self._call(self._index.get_documents(offset=offset, limit=1000, fields=["id"]))
            found.update(row["id"] for row in page.results)
            if len(page.results) < 1000:
                return found
            offset += 1000

    async def clear(self) -> None:
        """Delete every document and wait."""
        task = await self._call(self._index.delete_all_documents())
        await self._call(self._wait(task))

    async def drop_index(self) -> None:
        """Delete the whole index (tests use throwaway indexes)."""
        task = await self._call(self._index.delete())
        await self._call(self._wait(task))

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.client.aclose()
