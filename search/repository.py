"""SQL of the search package outside the PostgreSQL engine: the outbox, its draining, and the query log.

Module-level statements and async functions taking the connection first. The engine's own statements (documents,
vocabulary, the search statement) are its data access layer, in `search.postgres` and `search.pg_query`.
"""

from datetime import datetime

import asyncpg
import msgspec

from search.models import QueryStat, QueryTotals

__all__ = [
    "NOTIFY_CHANNEL",
    "insert_outbox_rows",
    "list_due_outbox_rows",
    "try_lock_documents",
    "delete_outbox_rows",
    "reschedule_outbox_rows",
    "get_seconds_until_next_due",
    "count_outbox_rows",
    "insert_query_log",
    "get_query_totals",
    "list_query_stats",
    "OutboxRow",
]

NOTIFY_CHANNEL = "search_outbox"

INSERT_OUTBOX_SQL = "INSERT INTO search_outbox (document_id) SELECT unnest($1::text[])"
NOTIFY_SQL = "SELECT pg_notify($1, '')"
CLAIM_SQL = """
SELECT id, document_id FROM search_outbox
WHERE available_at <= now()
ORDER BY id
LIMIT $1
FOR UPDATE SKIP LOCKED
"""
LOCK_DOCUMENTS_SQL = """
SELECT id FROM unnest($1::text[]) AS t(id)
WHERE pg_try_advisory_xact_lock(hashtextextended('search_outbox:' || id, 0))
"""
DONE_SQL = "DELETE FROM search_outbox WHERE id = ANY($1::bigint[])"
RETRY_SQL = """
UPDATE search_outbox
SET attempts = attempts + 1,
    available_at = now() + make_interval(secs => least($2::float8 * power(2, attempts), $3::float8)),
    last_error = $4
WHERE id = ANY($1::bigint[])
"""
NEXT_DUE_SQL = "SELECT extract(epoch FROM min(available_at) - now())::float8 FROM search_outbox"
COUNT_OUTBOX_SQL = "SELECT count(*) FROM search_outbox"

LOG_SQL = "INSERT INTO search_queries (query, locale, result_count) VALUES ($1, $2, $3)"
REPORT_SQL = """
SELECT query, count(*) AS searches, round(avg(result_count))::int AS average_results,
       count(*) FILTER (WHERE result_count = 0) AS without_results
FROM search_queries
WHERE created_at >= $1 AND ($2::text IS NULL OR locale = $2)
GROUP BY query
HAVING ($3::bool IS FALSE OR count(*) FILTER (WHERE result_count = 0) > 0)
ORDER BY searches DESC, query
LIMIT $4
"""
TOTALS_SQL = """
SELECT count(*) AS searches, count(*) FILTER (WHERE result_count = 0) AS without_results
FROM search_queries WHERE created_at >= $1 AND ($2::text IS NULL OR locale = $2)
"""


class OutboxRow(msgspec.Struct, frozen=True):
    """A change waiting to be indexed."""

    id: int
    document_id: str


async def insert_outbox_rows(connection: asyncpg.Connection, document_ids: list[str]) -> None:
    """One outbox row per id, and a NOTIFY that wakes the indexers."""
    await connection.execute(INSERT_OUTBOX_SQL, document_ids)
    # NOTIFY is delivered only when the transaction commits, and duplicates within it are folded.
    await connection.execute(NOTIFY_SQL, NOTIFY_CHANNEL)


async def list_due_outbox_rows(connection: asyncpg.Connection, limit: int) -> list[OutboxRow]:
    """Claim up to `limit` due rows, oldest first, locked (FOR UPDATE SKIP LOCKED) until the transaction ends."""
    rows = await connection.fetch(CLAIM_SQL, limit)
    return [OutboxRow(row["id"], row["document_id"]) for row in rows]


async def try_lock_documents(connection: asyncpg.Connection, document_ids: list[str]) -> set[str]:
    """The ids whose transaction-level advisory lock this connection took; the others are held elsewhere."""
    return {row["id"] for row in await connection.fetch(LOCK_DOCUMENTS_SQL, document_ids)}


async def delete_outbox_rows(connection: asyncpg.Connection, row_ids: list[int]) -> None:
    """Forget rows whose change is indexed."""
    await connection.execute(DONE_SQL, row_ids)


async def reschedule_outbox_rows(
    connection: asyncpg.Connection, row_ids: list[int], retry_base: float, retry_max: float, error: str
) -> None:
    """Count a failed attempt and make the rows due again after `retry_base * 2**attempts` seconds (capped)."""
    await connection.execute(RETRY_SQL, row_ids, retry_base, retry_max, error)


async def get_seconds_until_next_due(connection: asyncpg.Connection) -> float | None:
    """Seconds until the earliest row is due (negative when already due); None when the outbox is empty."""
    return await connection.fetchval(NEXT_DUE_SQL)


async def count_outbox_rows(connection: asyncpg.Connection) -> int:
    """Changes not yet indexed."""
    return await connection.fetchval(COUNT_OUTBOX_SQL)


async def insert_query_log(connection: asyncpg.Connection, query: str, locale: str, result_count: int) -> None:
    """Record one search (the text must already be cleaned of personal data)."""
    await connection.execute(LOG_SQL, query, locale, result_count)


async def get_query_totals(connection: asyncpg.Connection, since: datetime, locale: str | None) -> QueryTotals:
    """How many searches since then (in that locale, or all), and how many found nothing."""
    row = await connection.fetchrow(TOTALS_SQL, since, locale)
    return QueryTotals(searches=row["searches"], without_results=row["without_results"])


async def list_query_stats(
    connection: asyncpg.Connection, since: datetime, locale: str | None, *, without_results_only: bool, limit: int
) -> list[QueryStat]:
    """The most searched queries since then; only those that found nothing at least once when asked."""
    rows = await connection.fetch(REPORT_SQL, since, locale, without_results_only, limit)
    return [QueryStat(**dict(row)) for row in rows]
