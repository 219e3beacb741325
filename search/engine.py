"""The SearchEngine protocol every engine implements, its errors, and choosing the configured engine."""

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

import asyncpg

from search.models import SearchDocument, SearchQuery, SearchResult, Suggestion

__all__ = ["SearchEngine", "SearchError", "SearchUnavailable", "InvalidSearch", "create_engine"]


class SearchError(Exception):
    """Base of search errors; carries the attributes the app's error handler renders."""

    status_code = 500
    code = "search_error"

    def __init__(self, message: str, details: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class SearchUnavailable(SearchError):
    """The engine cannot be reached; writes are unaffected and the indexer retries later."""

    status_code = 503
    code = "search_unavailable"


class InvalidSearch(SearchError):
    """The query cannot be run as given (unknown facet, bad parameter)."""

    status_code = 400
    code = "invalid_search"


@runtime_checkable
class SearchEngine(Protocol):
    """What the service, the indexer and the admin commands need from a search engine."""

    async def setup(self) -> None:
        """Create or update the index and its settings; safe to call on every start."""
        ...

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        """Add or replace documents; unpublished ones are removed from the index."""
        ...

    async def delete(self, document_ids: Sequence[str]) -> None:
        """Remove documents by id; unknown ids are ignored."""
        ...

    async def search(self, query: SearchQuery) -> SearchResult:
        """Run a query: hits with highlights, facet counts, an estimated total."""
        ...

    async def suggest(self, text: str, locale: str, limit: int = 8) -> list[Suggestion]:
        """Autocomplete: at most `limit` Suggestion values for what is typed so far."""
        ...

    async def get_ids(self) -> set[str]:
        """Every document id in the index (for drift checks)."""
        ...

    async def clear(self) -> None:
        """Remove every document."""
        ...

    async def close(self) -> None:
        """Release connections the engine owns (never the application's pool)."""
        ...


def create_engine(settings: Any, pool: asyncpg.Pool) -> SearchEngine:
    """Meilisearch when `settings.meilisearch_url` is set, the embedded PostgreSQL engine otherwise."""
    url = getattr(settings, "meilisearch_url", None)
    if url:
        from search.meili import MeilisearchEngine

        return MeilisearchEngine(url, getattr(settings, "meilisearch_api_key", None))
    from search.postgres import PostgresEngine

    return PostgresEngine(pool)

