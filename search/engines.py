"""Building the configured search engine: Meilisearch when a URL is set, the embedded PostgreSQL engine otherwise."""

from typing import Any

import asyncpg

from search.engine import SearchEngine
from search.postgres import PostgresEngine

__all__ = ["create_engine"]


def create_engine(settings: Any, pool: asyncpg.Pool) -> SearchEngine:
    """Meilisearch when `settings.meilisearch_url` is set, the embedded PostgreSQL engine otherwise."""
    url = getattr(settings, "meilisearch_url", None)
    if url:
        # Imported here so Meilisearch's SDK (and its HTTP client) loads only where it is configured.
        from search.meili import MeilisearchEngine

        return MeilisearchEngine(url, getattr(settings, "meilisearch_api_key", None))
    return PostgresEngine(pool)
