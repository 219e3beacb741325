"""Where documents come from: each domain package provides a DocumentSource for its kinds."""

from collections.abc import AsyncIterator, Sequence
from typing import Protocol

import asyncpg

from search.models import SearchDocument

__all__ = ["DocumentSource"]


class DocumentSource(Protocol):
    """Builds search documents from a domain package's tables (search never imports the domains)."""

    kinds: tuple[str, ...]
    """The document kinds this source owns, e.g. ("attraction", "event")."""

    async def load(self, connection: asyncpg.Connection, ids: Sequence[str]) -> dict[str, SearchDocument]:
        """Current documents for these ids ("<kind>:<key>"); an id left out means delete it from the index."""
        ...

    def iter_all(self, connection: asyncpg.Connection) -> AsyncIterator[SearchDocument]:
        """Every document that should be in the index now (for reindex and drift checks)."""
        ...
