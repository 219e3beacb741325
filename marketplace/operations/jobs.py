"""Recording background job rounds so /metrics on any server sees every worker's work."""

import logging

import asyncpg

from marketplace.operations import repository

__all__ = ["record_run"]

log = logging.getLogger("marketplace.operations.jobs")


async def record_run(pool: asyncpg.Pool, job: str, succeeded: bool) -> None:
    """Count one round of `job`; a database that is down only loses this count, never the job."""
    try:
        async with pool.acquire(timeout=5) as connection:
            await repository.record_job_run(connection, job, succeeded)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
        log.warning("could not record a run of %s: %s", job, error)
