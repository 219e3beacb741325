"""SQL of the operations package: background job runs, and the counts /metrics reports."""

from typing import Any

import asyncpg

__all__ = ["record_job_run", "list_job_runs", "count_payments_by_status", "get_notification_outbox_lag"]

RECORD_RUN_SQL = """
INSERT INTO background_job_runs AS r (job, runs, failures, last_run_at, last_success_at)
VALUES ($1, 1, CASE WHEN $2 THEN 0 ELSE 1 END, now(), CASE WHEN $2 THEN now() END)
ON CONFLICT (job) DO UPDATE SET
    runs = r.runs + 1,
    failures = r.failures + CASE WHEN $2 THEN 0 ELSE 1 END,
    last_run_at = now(),
    last_success_at = CASE WHEN $2 THEN now() ELSE r.last_success_at END
"""
LIST_RUNS_SQL = """
SELECT job, runs, failures, extract(epoch FROM last_success_at)::float8 AS last_success
FROM background_job_runs ORDER BY job
"""
NOTIFICATION_LAG_SQL = """
SELECT count(*) AS pending, coalesce(extract(epoch FROM now() - min(next_attempt_at)), 0)::float8 AS oldest_seconds
FROM notification_deliveries
WHERE state IN ('pending', 'sending') AND next_attempt_at <= now()
"""
PAYMENTS_BY_STATUS_SQL = "SELECT status, count(*) AS payments FROM payments GROUP BY status ORDER BY status"


async def record_job_run(connection: asyncpg.Connection, job: str, succeeded: bool) -> None:
    """Count one round of a background job (any process), and when it last succeeded."""
    await connection.execute(RECORD_RUN_SQL, job, succeeded)


async def list_job_runs(connection: asyncpg.Connection) -> list[dict[str, Any]]:
    """Every job's runs, failures and last success (seconds since the epoch, or None)."""
    return [dict(row) for row in await connection.fetch(LIST_RUNS_SQL)]


async def count_payments_by_status(connection: asyncpg.Connection) -> dict[str, int]:
    """How many payments are in each state."""
    return {row["status"]: row["payments"] for row in await connection.fetch(PAYMENTS_BY_STATUS_SQL)}


async def get_notification_outbox_lag(connection: asyncpg.Connection) -> tuple[int, float]:
    """Deliveries due and not yet sent, and how long the oldest of them has been due (0 when none)."""
    row = await connection.fetchrow(NOTIFICATION_LAG_SQL)
    return row["pending"], row["oldest_seconds"]
