"""Composes the domain packages at start-up: search engine, document sources, images, background workers.

Packages below marketplace cannot import it, so everything they need is created here and handed to them
through the runtime and dependency injection.
"""

import asyncio
import contextlib
import importlib
import logging
from typing import Any

from marketplace.platform.runtime import Runtime

__all__ = ["document_sources", "start", "stop"]

log = logging.getLogger("marketplace.composition")


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        if error.name is None or not module.startswith(error.name):
            raise
        return None


def document_sources() -> list[Any]:
    """Every package's search DocumentSource."""
    sources: list[Any] = []
    tourism_source = _optional("tourism.search_source")
    if tourism_source is not None:
        sources.append(tourism_source.TourismSource())
    market_source = _optional("marketplace.search_source")
    if market_source is not None:
        sources.append(market_source.MarketplaceSource())
    return sources


async def create_search_engine(runtime: Runtime) -> Any:
    """Meilisearch when MEILISEARCH_URL is set, the PostgreSQL engine (on a pool of its own) otherwise."""
    search = _optional("search")
    if search is None or not hasattr(search, "create_engine"):
        return None
    pool = runtime.require_pool()
    if not runtime.settings.meilisearch_url and runtime.dsn is not None:
        from marketplace.platform.database import create_pool

        runtime.search_pool = await create_pool(runtime.dsn, min_size=1, max_size=10)
        pool = runtime.search_pool
    return search.create_engine(runtime.settings, pool)


async def start(runtime: Runtime) -> None:
    """Open what the packages need and start their background workers."""
    runtime.search_engine = await create_search_engine(runtime)
    if runtime.search_engine is not None:
        try:
            await runtime.search_engine.setup()
        except Exception:  # the engine may be down at start; the indexer retries with back-off
            log.warning("search engine setup failed; it will be retried by the indexer", exc_info=True)
    media = _optional("marketplace.media")
    if media is not None and hasattr(media, "create_image_pipeline"):
        runtime.images = media.create_image_pipeline(runtime.settings)
    carts = _optional("marketplace.carts.service")
    if carts is not None and hasattr(carts, "merge_into_user"):
        runtime.sign_in_hooks.append(_cart_follows_user(carts.merge_into_user))
    if runtime.settings.run_indexer and runtime.search_engine is not None:
        indexer_module = _optional("search.indexer")
        if indexer_module is not None:
            indexer = indexer_module.Indexer(runtime.require_pool(), runtime.search_engine, document_sources())
            runtime.tasks.append(asyncio.create_task(indexer.run(), name="search-indexer"))
    if runtime.settings.run_indexer:
        runtime.tasks.append(asyncio.create_task(housekeeping(runtime), name="housekeeping"))
    expiry = _optional("marketplace.payments.expiry")
    if runtime.settings.run_indexer and expiry is not None and hasattr(expiry, "run_expiry_worker"):
        stop_event = asyncio.Event()
        runtime.stop_events.append(stop_event)
        runtime.tasks.append(asyncio.create_task(
            expiry.run_expiry_worker(runtime.require_pool(), runtime.settings, stop_event), name="payment-expiry"))


async def housekeeping(runtime: Runtime, interval_seconds: float = 3600) -> None:
    """Forget expired sessions and day-old login failures, hourly (safe in several processes at once)."""
    from marketplace.accounts import repository

    while True:
        try:
            async with runtime.require_pool().acquire() as connection:
                await repository.delete_expired_sessions(connection)
                await connection.execute(repository.DELETE_OLD_FAILURES)
        except Exception:  # the database may be restarting; try again next round
            log.warning("housekeeping failed", exc_info=True)
        await asyncio.sleep(interval_seconds)


def _cart_follows_user(merge: Any) -> Any:
    async def hook(request: Any, db: Any, user_id: int) -> None:
        token = request.cookies.get("cart")
        if token:
            await merge(db, token, user_id)

    return hook


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
