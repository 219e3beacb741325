"""Writing to the search outbox: call `enqueue` inside the transaction that changes a listing."""

from collections.abc import Iterable

import asyncpg

from search.repository import NOTIFY_CHANNEL, insert_outbox_rows

__all__ = ["enqueue", "NOTIFY_CHANNEL"]


async def enqueue(connection: asyncpg.Connection, document_ids: Iterable[str]) -> None:
    """Record that these documents ("<kind>:<key>") changed; the indexer picks them up after commit."""
    ids = sorted(set(document_ids))
    if not ids:
        return
    await insert_outbox_rows(connection, ids)
