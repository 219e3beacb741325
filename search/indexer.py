"""The outbox indexer: drains search_outbox into the engine, woken by NOTIFY, retrying while it is down."""

import asyncio
import contextlib
import logging
import random
from collections.abc import Sequence

import asyncpg

from search import repository
from search.engine import SearchEngine
from search.models import SearchDocument
from search.repository import NOTIFY_CHANNEL
from search.sources import DocumentSource

__all__ = ["Indexer", "IndexingFailed"]

log = logging.getLogger("search.indexer")


class IndexingFailed(Exception):
    """The engine refused a batch; its rows were rescheduled with back-off."""


class Indexer:
    """Moves outbox rows into the engine; several may run at once, each change is indexed by one of them."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        engine: SearchEngine,
        sources: Sequence[DocumentSource],
        *,
        batch_size: int = 200,
        retry_base: float = 1.0,
        retry_max: float = 60.0,
        poll_interval: float = 30.0,
        listen_pool: asyncpg.Pool | None = None,
    ) -> None:
        self._pool = pool
        # LISTEN needs a session of its own: through PgBouncer in transaction mode, a direct connection's pool.
        self._listen_pool = listen_pool or pool
        self._engine = engine
        self._sources = {kind: source for source in sources for kind in source.kinds}
        self.batch_size = batch_size
        self.retry_base = retry_base
        """Seconds before the first retry of a failed row; doubled on each further failure."""
        self.retry_max = retry_max
        self.poll_interval = poll_interval
        """Seconds between checks when no NOTIFY arrives (a missed one costs at most this)."""

    async def drain_once(self) -> int:
        """Index one batch of due changes; returns how many outbox rows were done (0: nothing due)."""
        failure: Exception | None = None
        async with self._pool.acquire() as connection, connection.transaction():
            # SKIP LOCKED lets several indexers share the queue: each claims rows no other one holds.
            rows = await repository.list_due_outbox_rows(connection, self.batch_size)
            if not rows:
                return 0
            # One indexer at a time per document: the one holding the lock loads the document after taking it,
            # so a slower indexer can never overwrite a newer version with an older one. Others leave those
            # rows for later.
            locked = await repository.try_lock_documents(connection, sorted({row.document_id for row in rows}))
            mine = [row for row in rows if row.document_id in locked]
            if not mine:
                return 0
            row_ids = [row.id for row in mine]
            try:
                await self._index(connection, sorted(locked))
            except Exception as error:  # noqa: BLE001 - any engine failure reschedules the batch
                failure = error
                await repository.reschedule_outbox_rows(
                    connection, row_ids, self.retry_base, self.retry_max, f"{type(error).__name__}: {error}"[:1000]
                )
            else:
                await repository.delete_outbox_rows(connection, row_ids)
        if failure is not None:
            raise IndexingFailed(str(failure)) from failure
        return len(row_ids)

    async def _index(self, connection: asyncpg.Connection, document_ids: list[str]) -> None:
        by_kind: dict[str, list[str]] = {}
        for document_id in document_ids:
            by_kind.setdefault(document_id.partition(":")[0], []).append(document_id)
        found: list[SearchDocument] = []
        gone: list[str] = []
        for kind, ids in by_kind.items():
            source = self._sources.get(kind)
            if source is None:
                # Nothing can ever build this document; keeping the row would retry it forever.
                log.warning("no document source for kind %r; dropping %d outbox rows", kind, len(ids))
                continue
            documents = await source.load(connection, ids)
            found.extend(documents[i] for i in ids if i in documents)
            gone.extend(i for i in ids if i not in documents)
        if found:
            await self._engine.upsert(found)
        if gone:
            await self._engine.delete(gone)

    async def drain(self) -> int:
        """Index everything due now; returns the number of outbox rows done."""
        total = 0
        while done := await self.drain_once():
            total += done
        return total

    async def run(self) -> None:
        """Drain forever: on NOTIFY, when retries fall due, and every poll_interval. Cancel the task to stop.

        The engine is set up first (retried with back-off: it may have been down when the service started).
        """
        await self._set_up_engine()
        failures = 0
        while True:
            wake = asyncio.Event()

            def on_notify(*_: object, wake: asyncio.Event = wake) -> None:
                wake.set()

            try:
                async with self._listen_pool.acquire() as listener:
                    await listener.add_listener(NOTIFY_CHANNEL, on_notify)
                    try:
                        failures = await self._serve(wake, failures)
                    finally:
                        with contextlib.suppress(Exception):
                            await listener.remove_listener(NOTIFY_CHANNEL, on_notify)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as error:
                failures += 1
                delay = self._backoff(failures)
                log.warning("search indexer lost the database (%s); retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)

    async def _set_up_engine(self) -> None:
        failures = 0
        while True:
            try:
                await self._engine.setup()
                return
            except Exception as error:  # noqa: BLE001 - whatever the engine raises, try again later
                failures += 1
                delay = self._backoff(failures)
                log.warning("search engine setup failed (%s); retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)

    async def _serve(self, wake: asyncio.Event, failures: int) -> int:
        while True:
            wake.clear()
            try:
                done = await self.drain_once()
            except IndexingFailed as error:
                failures += 1
                delay = self._backoff(failures)
                log.warning("search engine failed (%s); retrying in %.1fs", error, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if done:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), await self._until_next_due())

    async def _until_next_due(self) -> float:
        async with self._pool.acquire() as connection:
            due_in = await repository.get_seconds_until_next_due(connection)
        if due_in is None:
            return self.poll_interval
        # Rows already due but held by another indexer: look again shortly rather than spin.
        return min(self.poll_interval, max(due_in, 0.2))

    def _backoff(self, failures: int) -> float:
        delay = min(self.retry_max, self.retry_base * 2 ** (failures - 1))
        return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security
