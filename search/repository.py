"""SQL of the search package outside the PostgreSQL engine: the outbox, its draining, and the query log.

Module-level statements and async functions taking the connection first. The engine's own statements (documents,
vocabulary, the search statement) are its data access layer, in `search.postgres` and `search.pg_query`.
"""

from datetime import date, datetime

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
    "get_outbox_lag",
    "add_query_counts",
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
OUTBOX_LAG_SQL = """
SELECT count(*) AS pending, coalesce(extract(epoch FROM now() - min(enqueued_at)), 0)::float8 AS oldest_seconds
FROM search_outbox
"""

# One counter per (UTC day, query, locale). Losing the last counts in a crash costs nothing, so the
# write does not wait for the disk (synchronous_commit off for this transaction only).
# In key order, so two processes writing the same counters cannot deadlock.
ADD_COUNTS_SQL = """
INSERT INTO search_query_daily AS d (day, query, locale, searches, without_results, results_total)
SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::int[], $5::int[], $6::bigint[]) ORDER BY 1, 2, 3
ON CONFLICT (day, query, locale) DO UPDATE
SET searches = d.searches + EXCLUDED.searches, without_results = d.without_results + EXCLUDED.without_results,
    results_total = d.results_total + EXCLUDED.results_total
"""
REPORT_SQL = """
SELECT query, sum(searches)::int AS searches, round(sum(results_total)::numeric / sum(searches))::int
       AS average_results, sum(without_results)::int AS without_results
FROM search_query_daily
WHERE day >= (($1::timestamptz) AT TIME ZONE 'UTC')::date AND ($2::text IS NULL OR locale = $2)
GROUP BY query
HAVING ($3::bool IS FALSE OR sum(without_results) > 0)
ORDER BY searches DESC, query
LIMIT $4
"""
TOTALS_SQL = """
SELECT coalesce(sum(searches), 0)::int AS searches, coalesce(sum(without_results), 0)::int AS without_results
FROM search_query_daily WHERE day >= (($1::timestamptz) AT TIME ZONE 'UTC')::date AND ($2::text IS NULL OR locale = $2)
"""
DELETE_OLD_RAW_QUERIES_SQL = "DELETE FROM search_queries WHERE created_at < now() - interval '30 days'"


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


async def get_outbox_lag(connection: asyncpg.Connection) -> tuple[int, float]:
    """Changes not yet indexed, and how many seconds the oldest of them has waited (0 when none)."""
    row = await connection.fetchrow(OUTBOX_LAG_SQL)
    return row["pending"], row["oldest_seconds"]


async def add_query_counts(connection: asyncpg.Connection, counts: list[tuple[date, str, str, int, int, int]]) -> None:
    """Add (day, query, locale, searches, without results, results in total) rows to the daily counters."""
    days, queries, locales, searches, without, totals = (list(column) for column in zip(*counts, strict=True))
    async with connection.transaction():
        # Counts of searches, not orders: a counter lost to a crash right after commit is acceptable.
        await connection.execute("SET LOCAL synchronous_commit = off")
        await connection.execute(ADD_COUNTS_SQL, days, queries, locales, searches, without, totals)


async def delete_old_raw_queries(connection: asyncpg.Connection) -> int:
    """Raw search rows (written before the log was aggregated) are kept 30 days at most."""
    status = await connection.execute(DELETE_OLD_RAW_QUERIES_SQL)
    return int(status.split()[-1])


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
