"""Search as the pages and the API use it: building queries from parameters, running them, the query log."""

import asyncio
import logging
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone
from functools import cache
from typing import Annotated

import asyncpg
import msgspec

from i18n import SUPPORTED_LOCALES
from search import repository
from search.engine import SearchEngine
from search.errors import InvalidSearch
from search.models import DOCUMENT_KINDS, FACET_FIELDS, QueryReport, SearchQuery, SearchResult, Suggestion

__all__ = [
    "delete_old_query_log",
    "build_query",
    "run_search",
    "record_search",
    "flush_search_log",
    "search_log_pending",
    "suggest",
    "query_report",
    "commune_label",
    "clean_log_text",
    "SORT_ORDERS",
]

SORT_ORDERS: tuple[str, ...] = ("relevance", "distance", "price_asc", "price_desc", "rating", "popularity", "newest")
MAX_FILTER_VALUES = 20
MAX_LOGGED_LENGTH = 200
# Long digit runs (phone, ID, card numbers) and e-mail addresses are personal data, never log them.
_PERSONAL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+|\+?\d[\d .-]{5,}\d")
_SPACES = re.compile(r"\s+")

log = logging.getLogger("search.service")
# Seconds a write of the search counts waits for a connection before keeping them for the next try.
LOG_ACQUIRE_TIMEOUT = 0.5


def _bounded(values: Sequence[str], name: str) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if len(cleaned) > MAX_FILTER_VALUES:
        raise InvalidSearch(f"at most {MAX_FILTER_VALUES} values of {name}", {"parameter": name})
    return cleaned


def build_query(
    *,
    text: str = "",
    locale: str = "vi",
    kinds: Sequence[str] = (),
    categories: Sequence[str] = (),
    communes: Sequence[int] = (),
    price_min: int | None = None,
    price_max: int | None = None,
    min_rating: float | None = None,
    min_ocop_stars: int | None = None,
    available_only: bool = False,
    lat: float | None = None,
    lng: float | None = None,
    radius_m: int | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
    facets: Sequence[str] = FACET_FIELDS,
) -> SearchQuery:
    """A validated SearchQuery from request parameters; InvalidSearch (400) names what is wrong."""
    kind_values = _bounded(kinds, "kind")
    unknown = [k for k in kind_values if k not in DOCUMENT_KINDS]
    if unknown:
        raise InvalidSearch(f"unknown kind {unknown[0]!r}", {"kinds": list(DOCUMENT_KINDS)})
    if sort not in SORT_ORDERS:
        raise InvalidSearch(f"unknown sort {sort!r}", {"sorts": list(SORT_ORDERS)})
    if (lat is None) != (lng is None):
        raise InvalidSearch("lat and lng go together", {"parameters": ["lat", "lng"]})
    if sort == "distance" and lat is None:
        raise InvalidSearch("sorting by distance needs lat and lng", {"parameters": ["lat", "lng"]})
    if len(communes) > MAX_FILTER_VALUES:
        raise InvalidSearch(f"at most {MAX_FILTER_VALUES} values of commune", {"parameter": "commune"})
    unknown_facets = [f for f in facets if f not in FACET_FIELDS]
    if unknown_facets:
        raise InvalidSearch(f"unknown facet {unknown_facets[0]!r}", {"facets": list(FACET_FIELDS)})
    values: dict[str, object] = {
        "text": _SPACES.sub(" ", text).strip(),
        "locale": locale if locale in SUPPORTED_LOCALES else "vi",
        "filters": {
            "kinds": kind_values, "categories": _bounded(categories, "category"),
            "commune_codes": tuple(dict.fromkeys(communes)), "price_min": price_min, "price_max": price_max,
            "min_rating": min_rating, "min_ocop_stars": min_ocop_stars, "available_only": available_only,
        },
        "facets": tuple(dict.fromkeys(facets)),
        "sort": sort,
        "page": page,
        "per_page": per_page,
    }
    if lat is not None and lng is not None:
        values["geo"] = {"lat": lat, "lng": lng, "radius_m": radius_m or 10_000}
    try:
        return msgspec.convert(values, SearchQuery)
    except msgspec.ValidationError as error:
        raise InvalidSearch(f"invalid search: {error}", {"reason": str(error)}) from None


# Where a search handler leaves what it logged, so an answer served again from memory logs it again.
LOGGED_SEARCH_SCOPE_KEY = "search.logged_search"


def logged_search(query: SearchQuery, result: SearchResult) -> tuple[str, str, int] | None:
    """What `run_search` logged for this query: (text, locale, results), or None (no text, a later page)."""
    if query.text and query.page == 1:
        return query.text, query.locale, result.estimated_total
    return None


SEARCH_LOG_FLUSH_SECONDS = 2.0
# Distinct (day, query, locale) counters a process keeps while the database cannot take them; past this a
# search is not counted (a search is a read: it never waits for, or fails on, its log).
MAX_PENDING_QUERIES = 10_000
Counts = list[int]
"""searches, without results, results in total."""


class SearchLog:
    """The searches of one process not yet added to the daily counters of one database (one pool).

    Each search adds to a counter in memory; every SEARCH_LOG_FLUSH_SECONDS they are all written in one
    statement. Writing each search in its own transaction cost four round trips per search, and concurrent
    searches for the same words queued on the same counter row. A crash loses at most the last two seconds
    of counts; a clean stop writes them (`flush_search_log` in the runtime's shutdown).
    """

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.counts: dict[tuple[date, str, str], Counts] = {}
        # One write at a time: a flush asked for while another is writing (a report's, the 2-second one's)
        # waits for it, so when it returns every search counted before the call is in the database.
        self._writing = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None

    @property
    def writing(self) -> bool:
        return self._writing.locked()

    def add(self, text: str, locale: str, result_count: int) -> None:
        cleaned = clean_log_text(text)
        if not cleaned:
            return
        key = (datetime.now(timezone.utc).date(), cleaned, locale)  # noqa: UP017 - the day is UTC, as before
        counts = self.counts.get(key)
        if counts is None:
            if len(self.counts) >= MAX_PENDING_QUERIES:
                return
            counts = self.counts[key] = [0, 0, 0]
        counts[0] += 1
        counts[1] += result_count == 0
        counts[2] += result_count
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.get_running_loop().create_task(self._flush_later())

    async def _flush_later(self) -> None:
        # Searches counted while a write was under way, or counts a failed write kept, wait for the next turn.
        while True:
            await asyncio.sleep(SEARCH_LOG_FLUSH_SECONDS)
            await self.flush()
            if not self.counts:
                break
        _forget_if_written(self)

    async def flush(self) -> None:
        """Write the pending counters, after any write under way; on failure keep them for the next try
        (within MAX_PENDING_QUERIES)."""
        async with self._writing:
            pending, self.counts = self.counts, {}
            if not pending:
                return
            try:
                async with self.pool.acquire(timeout=LOG_ACQUIRE_TIMEOUT) as connection:
                    await repository.add_query_counts(
                        connection, [(*key, *counts) for key, counts in pending.items()])
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError):
                log.warning("search log not written; %d counters kept for the next try", len(pending), exc_info=True)
                for key, counts in pending.items():
                    kept = self.counts.get(key)
                    if kept is not None:
                        kept[:] = [a + b for a, b in zip(kept, counts, strict=True)]
                    elif len(self.counts) < MAX_PENDING_QUERIES:
                        self.counts[key] = counts


# Pending logs by pool (asyncpg pools cannot be weakly referenced); an entry goes once it is written.
_search_logs: dict[int, SearchLog] = {}


def _pending_log(pool: asyncpg.Pool) -> SearchLog | None:
    search_log = _search_logs.get(id(pool))
    # An id can be reused by a later pool once the first is gone: the entry must be this pool's.
    return search_log if search_log is not None and search_log.pool is pool else None


def _forget_if_written(search_log: SearchLog) -> None:
    if not search_log.counts and _search_logs.get(id(search_log.pool)) is search_log:
        del _search_logs[id(search_log.pool)]


def record_search(pool: asyncpg.Pool, text: str, locale: str, result_count: int) -> None:
    """Count one search; it reaches the database with the others within SEARCH_LOG_FLUSH_SECONDS."""
    search_log = _pending_log(pool)
    if search_log is None:
        search_log = _search_logs[id(pool)] = SearchLog(pool)
    search_log.add(text, locale, result_count)


def search_log_pending(pool: asyncpg.Pool) -> bool:
    """Whether this process has searches for this database not yet written (or being written); the tests
    of other event loops wait on it."""
    search_log = _pending_log(pool)
    return search_log is not None and bool(search_log.counts or search_log.writing)


async def flush_search_log(pool: asyncpg.Pool) -> None:
    """Write this process's pending search counts for this database now (at shutdown, before a report)."""
    search_log = _pending_log(pool)
    if search_log is not None:
        await search_log.flush()
        _forget_if_written(search_log)


async def run_search(engine: SearchEngine, pool: asyncpg.Pool | None, query: SearchQuery) -> SearchResult:
    """Run the query and log it (first pages with text only) for the province's reports."""
    result = await engine.search(query)
    logged = logged_search(query, result)
    if pool is not None and logged is not None:
        record_search(pool, *logged)
    return result


async def suggest(engine: SearchEngine, text: str, locale: str, limit: int = 8) -> list[Suggestion]:
    """At most 8 names for what is typed so far (never logged: keystrokes are not searches)."""
    text = _SPACES.sub(" ", text)[:100]
    if not text.strip():
        return []
    return await engine.suggest(text, locale if locale in SUPPORTED_LOCALES else "vi", min(max(limit, 1), 8))


def clean_log_text(text: str) -> str:
    """The query as logged: lower case, single spaces, personal data (numbers, e-mails) masked."""
    return _PERSONAL.sub("…", _SPACES.sub(" ", text).strip().lower())[:MAX_LOGGED_LENGTH]


async def delete_old_query_log(connection: asyncpg.Connection) -> int:
    """Housekeeping: raw search rows older than 30 days go (the daily counters stay: no personal data)."""
    return await repository.delete_old_raw_queries(connection)


async def query_report(
    connection: asyncpg.Connection,
    *,
    days: Annotated[int, msgspec.Meta(ge=1, le=366)] = 30,
    locale: str | None = None,
    limit: int = 50,
) -> QueryReport:
    """Top queries and queries without results over the last `days` days."""
    since = datetime.now(timezone.utc) - timedelta(days=days)  # noqa: UP017 - explicit for readers
    totals = await repository.get_query_totals(connection, since, locale)
    top = await repository.list_query_stats(connection, since, locale, without_results_only=False, limit=limit)
    missing = await repository.list_query_stats(connection, since, locale, without_results_only=True, limit=limit)
    return QueryReport(
        since=since, locale=locale, searches=totals.searches, without_results=totals.without_results,
        top=top, not_found=missing,
    )


@cache
def commune_label(code: int) -> str:
    """The ward or commune's name from the vietnam-provinces dataset, or the code when it is not known."""
    try:
        from vietnam_provinces import Ward, WardCode

        return Ward.from_code(WardCode(code)).name
    except (ImportError, ValueError, KeyError, LookupError):
        return str(code)

