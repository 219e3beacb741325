"""Writing to the search outbox: call `enqueue` inside the transaction that changes a listing."""

from collections.abc import Iterable

import asyncpg

__all__ = ["enqueue", "NOTIFY_CHANNEL"]

NOTIFY_CHANNEL = "search_outbox"


async def enqueue(connection: asyncpg.Connection, document_ids: Iterable[str]) -> None:
    """Record that these documents ("<kind>:<key>") changed; the indexer picks them up after commit."""
    ids = sorted(set(document_ids))
    if not ids:
        return
    await connection.execute(
        "INSERT INTO search_outbox (document_id) SELECT unnest($1::text[])", ids
    )
    # NOTIFY is delivered only when the transaction commits, and duplicates within it are folded.
    await connection.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)
