"""Search: the engine protocol, documents and queries, the PostgreSQL and Meilisearch engines, the indexer.

Public surface: `create_engine(settings, pool)` picks the engine (from `search.engines`); the errors are in
`search.errors`; `search.postgres.PostgresEngine`, `search.meili.MeilisearchEngine`, `search.indexer.Indexer`,
`search.admin.reindex/check`, `search.outbox.enqueue` and the change log's `search.changes.record_event` (events
for webhooks and the changes feed, written by tourism and marketplace alike) are imported from their modules
(Meilisearch's SDK loads only when used). Routes: `search.web.PAGE_ROUTERS` and `API_ROUTERS`. The benchmark (`python -m
search.bench`) is apart from all of this and nothing here imports it.
"""

from search.engine import SearchEngine
from search.engines import create_engine
from search.errors import InvalidSearch, SearchError, SearchUnavailable
from search.models import (
    DOCUMENT_KINDS,
    FACET_FIELDS,
    FacetCount,
    GeoFilter,
    GeoPoint,
    SearchDocument,
    SearchFilters,
    SearchHit,
    SearchQuery,
    SearchResult,
    Suggestion,
)
from search.outbox import enqueue
from search.sources import DocumentSource

__all__ = [
    "DOCUMENT_KINDS",
    "FACET_FIELDS",
    "DocumentSource",
    "FacetCount",
    "GeoFilter",
    "GeoPoint",
    "InvalidSearch",
    "SearchDocument",
    "SearchEngine",
    "SearchError",
    "SearchFilters",
    "SearchHit",
    "SearchQuery",
    "SearchResult",
    "SearchUnavailable",
    "Suggestion",
    "create_engine",
    "enqueue",
]
