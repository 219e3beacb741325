"""Writing to the search outbox: call `enqueue` inside the transaction that changes a listing."""

from collections.abc import Iterable

import asyncpg

from search import repository

__all__ = ["enqueue"]


async def enqueue(connection: asyncpg.Connection, document_ids: Iterable[str]) -> None:
    """Record that these documents ("<kind>:<key>") changed; the indexer picks them up after commit."""
    ids = sorted(set(document_ids))
    if not ids:
        return
    await repository.insert_outbox_rows(connection, ids)
