"""Composes the domain packages at start-up: search engine, document sources, images, background workers.

Packages below marketplace cannot import it, so everything they need is created here and handed to them
through the runtime and dependency injection.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg

from marketplace.accounts import repository as accounts_repository
from marketplace.carts.service import CART_COOKIE, expire_anonymous_carts, merge_into_user
from marketplace.media import create_image_pipeline
from marketplace.notifications.channels import configured_channels
from marketplace.notifications.messages import renderer_for
from marketplace.notifications.worker import run_delivery_worker
from marketplace.operations.jobs import record_run
from marketplace.operations.repository import get_notification_outbox_lag
from marketplace.payments.expiry import run_expiry_worker
from marketplace.platform.database import EmbeddedPostgres, create_pool, start_embedded_database
from marketplace.platform.migrations import apply_migrations
from marketplace.platform.ratelimit import delete_old_windows
from marketplace.platform.runtime import Runtime
from marketplace.province.service import run_indicators_job
from marketplace.search_source import MarketplaceSource
from marketplace.search_source import category_label as marketplace_category_label
from marketplace.webhooks.delivery import run_webhook_worker
from marketplace.webhooks.repository import get_outbox_lag as get_webhook_outbox_lag
from marketplace.webhooks.signing import sealing_key
from search import create_engine
from search.changes import sequencing_lag
from search.engine import SearchEngine
from search.indexer import Indexer
from search.labels import register_category_labeller
from search.service import delete_old_query_log, flush_search_log
from search.sources import DocumentSource
from tourism.attractions.poster_cache import stop_poster_process
from tourism.search_source import TourismSource
from tourism.search_source import category_label as tourism_category_label
from tourism.trips.service import expire_unused_trips

__all__ = ["BackgroundJob", "background_jobs", "document_sources", "start_runtime", "stop_runtime", "start",
           "start_background_jobs", "stop"]

log = logging.getLogger("marketplace.composition")


async def start_runtime(runtime: Runtime, *, background: bool | None = None) -> None:
    """Open the database (starting the embedded one if needed), the search engine and background tasks.

    Background jobs run when `background` is True, or by default when RUN_INDEXER is on.
    """
    settings = runtime.settings
    dsn = settings.database_url
    if dsn is None:
        runtime.embedded = EmbeddedPostgres(settings.data_dir)
        dsn = await asyncio.to_thread(start_embedded_database, runtime.embedded)
    runtime.dsn = dsn
    runtime.pool = await create_pool(dsn, max_size=settings.database_pool_max, pgbouncer=settings.database_pgbouncer)
    if settings.database_replica_url is not None:
        # Reached directly (never through PgBouncer), sized like the primary: it takes the anonymous browsing.
        runtime.replica_pool = await create_pool(settings.database_replica_url, max_size=settings.database_pool_max,
                                                 application_name="marketplace-replica")
    if settings.database_direct_url is not None:
        runtime.listen_pool = await create_pool(settings.database_direct_url, min_size=1, max_size=3,
                                                application_name="marketplace-direct")
    if runtime.embedded is not None:
        async with runtime.pool.acquire() as connection:
            await apply_migrations(connection)
    await start(runtime, background=background)


async def stop_runtime(runtime: Runtime) -> None:
    """Stop background work, then the engine, the pool and the embedded server."""
    await stop(runtime)
    # Queued poster renders would otherwise hold the process's exit (and the embedded server's stop) open.
    stop_poster_process()
    if runtime.listen_pool is not None:
        runtime.listen_pool.terminate()
        runtime.listen_pool = None
    if runtime.replica_pool is not None:
        await runtime.replica_pool.close()
        runtime.replica_pool = None
    if runtime.pool is not None:
        await flush_search_log(runtime.pool)  # the last seconds' search counts
        try:
            # close() waits for every borrowed connection; a stuck one must not hang the shutdown.
            await asyncio.wait_for(runtime.pool.close(), timeout=10)
        except TimeoutError:
            log.warning("database connections still busy after 10 s; closing them")
            runtime.pool.terminate()
        runtime.pool = None
    if runtime.embedded is not None:
        await asyncio.to_thread(runtime.embedded.stop)
        runtime.embedded = None


def document_sources() -> list[DocumentSource]:
    """Every package's search DocumentSource."""
    return [TourismSource(), MarketplaceSource()]


async def create_search_engine(runtime: Runtime) -> SearchEngine:
    """Meilisearch when MEILISEARCH_URL is set, the PostgreSQL engine (on a pool of its own) otherwise."""
    pool = runtime.require_pool()
    settings = runtime.settings
    if not settings.meilisearch_url and runtime.dsn is not None:
        # Searches are reads: on the replica when there is one (no PgBouncer flag: a replica is reached directly).
        replica = settings.database_replica_url
        runtime.search_pool = await create_pool(
            replica or runtime.dsn, min_size=1, max_size=settings.search_pool_max,
            pgbouncer=settings.database_pgbouncer and replica is None, application_name="marketplace-search")
        pool = runtime.search_pool
    return create_engine(runtime.settings, pool)


async def start(runtime: Runtime, *, background: bool | None = None) -> None:
    """Open what the packages need and start their background workers."""
    runtime.search_engine = await create_search_engine(runtime)
    try:
        await runtime.search_engine.setup()
    except Exception:  # the engine may be down at start; the indexer retries with back-off
        log.warning("search engine setup failed; it will be retried by the indexer", exc_info=True)
    runtime.images = create_image_pipeline(runtime.settings)
    runtime.outboxes["notifications"] = get_notification_outbox_lag
    runtime.outboxes["change_log"] = sequencing_lag
    runtime.outboxes["webhooks"] = get_webhook_outbox_lag
    # Facets of the search page are labelled by the packages whose documents carry the categories.
    register_category_labeller(tourism_category_label)
    register_category_labeller(marketplace_category_label)
    runtime.sign_in_hooks.append(_cart_follows_user)
    if runtime.settings.run_indexer if background is None else background:
        start_background_jobs(runtime)


@dataclass(frozen=True, slots=True)
class BackgroundJob:
    """A loop that runs until its stop event is set; every job must be safe in several processes at once."""

    name: str
    run: Callable[[Runtime, asyncio.Event], Awaitable[None]]


def background_jobs() -> list[BackgroundJob]:
    """Every background job of every package: run inside `serve` (unless RUN_INDEXER=false) or `marketplace worker`.

    A package adds its job here; the job itself lives in the package.
    """
    return [
        BackgroundJob("search-indexer", _run_indexer),
        BackgroundJob("housekeeping", housekeeping),
        BackgroundJob("payment-expiry", _run_payment_expiry),
        BackgroundJob("notifications", _run_notifications),
        BackgroundJob("province-indicators", _run_indicators),
        BackgroundJob("webhooks", _run_webhooks),
    ]


def start_background_jobs(runtime: Runtime) -> None:
    """Start every background job as a task of this process."""
    stop_event = asyncio.Event()
    runtime.stop_events.append(stop_event)
    for job in background_jobs():
        runtime.tasks.append(asyncio.create_task(job.run(runtime, stop_event), name=job.name))


async def _run_indexer(runtime: Runtime, stop_event: asyncio.Event) -> None:
    indexer = Indexer(runtime.require_pool(), runtime.search_engine, document_sources(),
                      listen_pool=runtime.listen_pool)
    await indexer.run()


async def _run_payment_expiry(runtime: Runtime, stop_event: asyncio.Event) -> None:
    pool = runtime.require_pool()

    async def on_round(succeeded: bool) -> None:
        await record_run(pool, "payment-expiry", succeeded)

    await run_expiry_worker(pool, runtime.settings, stop_event, on_round=on_round)


async def _run_notifications(runtime: Runtime, stop_event: asyncio.Event) -> None:
    await run_delivery_worker(runtime.require_pool(), configured_channels(runtime.settings), renderer_for(runtime),
                              stop_event, listen_pool=runtime.listen_pool)


async def _run_webhooks(runtime: Runtime, stop_event: asyncio.Event) -> None:
    # Also gives the change log its order, which /api/v1/changes reads: it runs even with no endpoint.
    await run_webhook_worker(runtime.require_pool(), sealing_key(runtime.settings.secret_key), stop_event,
                             listen_pool=runtime.listen_pool)


async def _run_indicators(runtime: Runtime, stop_event: asyncio.Event) -> None:
    await run_indicators_job(runtime.require_pool(), stop_event)


async def housekeeping(runtime: Runtime, stop_event: asyncio.Event, interval_seconds: float = 3600) -> None:
    """Forget expired sessions and day-old login failures, hourly (safe in several processes at once)."""
    while not stop_event.is_set():
        succeeded = False
        try:
            async with runtime.require_pool().acquire() as connection:
                await accounts_repository.delete_expired_sessions(connection)
                await accounts_repository.delete_old_login_failures(connection)
                await delete_old_windows(connection)
                await expire_anonymous_data(connection)
            succeeded = True
        except Exception:  # the database may be restarting; try again next round
            log.warning("housekeeping failed", exc_info=True)
        await record_run(runtime.require_pool(), "housekeeping", succeeded)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=interval_seconds)


async def expire_anonymous_data(connection: asyncpg.Connection) -> None:
    """Unused anonymous carts and trips, and raw search rows past 30 days, are deleted (issue 10, point 3)."""
    await expire_anonymous_carts(connection)
    await expire_unused_trips(connection)
    await delete_old_query_log(connection)


async def _cart_follows_user(request: Any, db: asyncpg.Connection, user_id: int) -> None:
    """An anonymous visitor's cart becomes the user's at sign-in."""
    token = request.cookies.get(CART_COOKIE)
    if token:
        await merge_into_user(db, token, user_id)


async def stop(runtime: Runtime) -> None:
    """Stop background workers and close the search engine."""
    for event in runtime.stop_events:
        event.set()
    for task in runtime.tasks:
        task.cancel()
    if runtime.tasks:
        _, still_running = await asyncio.wait(runtime.tasks, timeout=10)
        for task in still_running:
            log.warning("background task %s did not stop within 10 s", task.get_name())
    runtime.tasks.clear()
    close_storage = getattr(getattr(runtime.images, "storage", None), "close", None)
    if close_storage is not None:
        with contextlib.suppress(Exception):
            await close_storage()
    if runtime.search_engine is not None:
        with contextlib.suppress(Exception):
            await runtime.search_engine.close()
        runtime.search_engine = None
    if runtime.search_pool is not None:
        try:
            await asyncio.wait_for(runtime.search_pool.close(), timeout=10)
        except TimeoutError:
            runtime.search_pool.terminate()
        runtime.search_pool = None
