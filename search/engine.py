"""The SearchEngine protocol every engine implements.

The errors engines raise are in `search.errors`; building the configured engine is `search.engines`.
"""

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from search.models import SearchDocument, SearchQuery, SearchResult, Suggestion

__all__ = ["SearchEngine"]


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
