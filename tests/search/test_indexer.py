"""The outbox indexer: nothing lost while the engine is down, each change indexed once, NOTIFY wakes it."""

import asyncio
from collections import Counter
from collections.abc import Sequence
from typing import Any

import asyncpg
import pytest

from search import repository
from search.errors import SearchUnavailable
from search.indexer import Indexer, IndexingFailed
from search.models import SearchDocument, SearchQuery
from search.outbox import enqueue
from search.postgres import PostgresEngine
from tests.search.search_listings import ListingSource, create_listings_table, delete_listing, save_listing

GUARD_SECONDS = 30
"""Only a guard against hanging forever; nothing asserts how fast anything happens."""


class FlakyEngine(PostgresEngine):
    """The real engine behind a switch: while `down`, every call fails like an unreachable server."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self.down = True
        self.failed_calls = 0
        self.setups = 0
        self.failing_setups = 2

    async def setup(self) -> None:
        self.setups += 1
        if self.setups <= self.failing_setups:
            raise SearchUnavailable("connection refused")
        await super().setup()

    def _check(self) -> None:
        if self.down:
            self.failed_calls += 1
            raise SearchUnavailable("connection refused")

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        self._check()
        await super().upsert(documents)

    async def delete(self, document_ids: Sequence[str]) -> None:
        self._check()
        await super().delete(document_ids)


class RecordingEngine(PostgresEngine):
    """Records every upserted id; the first call waits for a second indexer to arrive, proving overlap."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        super().__init__(pool)
        self.upserted: list[str] = []
        self.callers: set[str] = set()
        self.both_arrived = asyncio.Event()

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        self.callers.add(asyncio.current_task().get_name())  # type: ignore[union-attr]
        if len(self.callers) >= 2:
            self.both_arrived.set()
        await asyncio.wait_for(self.both_arrived.wait(), GUARD_SECONDS)
        self.upserted.extend(document.id for document in documents)
        await super().upsert(documents)


class SleepWatchingIndexer(Indexer):
    """An indexer that says when it has drained everything due and starts waiting for NOTIFY or a due row."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.asleep = asyncio.Event()

    async def _until_next_due(self) -> float:
        # Called right before the indexer waits, after a drain that found nothing (left) to do.
        timeout = await super()._until_next_due()
        self.asleep.set()
        return timeout


async def outbox_size(pool: asyncpg.Pool) -> int:
    async with pool.acquire() as connection:
        return await repository.count_outbox_rows(connection)


async def wait_until_empty(pool: asyncpg.Pool) -> None:
    async def empty() -> None:
        while await outbox_size(pool):  # noqa: ASYNC110 - polling the database, no event to await
            await asyncio.sleep(0.05)

    await asyncio.wait_for(empty(), GUARD_SECONDS)


async def names_in_index(engine: PostgresEngine) -> dict[str, str]:
    result = await engine.search(SearchQuery(per_page=100))
    return {hit.document.id: hit.document.name["vi"] for hit in result.hits}


@pytest.fixture
async def listings(pool: asyncpg.Pool) -> asyncpg.Pool:
    await create_listings_table(pool)
    return pool


async def test_changes_reach_the_index_and_the_outbox_empties(listings: asyncpg.Pool) -> None:
    engine = PostgresEngine(listings)
    indexer = Indexer(listings, engine, [ListingSource()], batch_size=2)
    await save_listing(listings, "nho", "Nho Ninh Thuận")
    await save_listing(listings, "toi", "Tỏi Phan Rang")
    await save_listing(listings, "gom", "Gốm Bàu Trúc")
    await save_listing(listings, "nho", "Nho xanh Ninh Thuận")  # edited before the indexer ran
    assert await indexer.drain() == 4
    assert await names_in_index(engine) == {
        "product:nho": "Nho xanh Ninh Thuận", "product:toi": "Tỏi Phan Rang", "product:gom": "Gốm Bàu Trúc",
    }
    await delete_listing(listings, "toi")
    await save_listing(listings, "gom", "Gốm Bàu Trúc", available=False)
    await indexer.drain()
    found = await engine.search(SearchQuery(text="gom"))
    assert [hit.document.available for hit in found.hits] == [False]
    assert set(await names_in_index(engine)) == {"product:nho", "product:gom"}
    assert await outbox_size(listings) == 0


async def test_an_unpublished_listing_leaves_the_results(listings: asyncpg.Pool) -> None:
    engine = PostgresEngine(listings)
    indexer = Indexer(listings, engine, [ListingSource()])
    await save_listing(listings, "vang", "Rượu vang nho")
    await indexer.drain()
    assert [h.document.id for h in (await engine.search(SearchQuery(text="vang nho"))).hits] == ["product:vang"]
    await save_listing(listings, "vang", "Rượu vang nho", published=False)
    await indexer.drain()
    assert (await engine.search(SearchQuery(text="vang nho"))).hits == []
    assert await engine.get_ids() == set()


async def test_engine_down_loses_no_write_and_the_index_converges(listings: asyncpg.Pool) -> None:
    engine = FlakyEngine(listings)
    indexer = Indexer(listings, engine, [ListingSource()], batch_size=5, retry_base=0.01, retry_max=0.05,
                      poll_interval=0.2)
    runner = asyncio.create_task(indexer.run())
    try:
        # Writers keep writing while every engine call fails; none of them may fail or wait on the engine.
        await asyncio.gather(*(save_listing(listings, f"p{i}", f"Sản phẩm {i}") for i in range(30)))
        # The edits start once the first versions are committed: run in the same gather, an edit and the first
        # write of the same listing would race, and whichever committed last would be the listing's name.
        await asyncio.gather(*(save_listing(listings, f"p{i}", f"Sản phẩm mới {i}") for i in range(0, 30, 3)))
        await delete_listing(listings, "p1")
        await save_listing(listings, "p2", "Sản phẩm 2", published=False)

        async def engine_was_tried() -> None:
            while engine.failed_calls < 3:  # noqa: ASYNC110 - a counter bumped by another task
                await asyncio.sleep(0.02)

        await asyncio.wait_for(engine_was_tried(), GUARD_SECONDS)
        async with listings.acquire() as connection:
            retried = await connection.fetchrow(
                "SELECT count(*) AS n, max(attempts) AS attempts, max(last_error) AS error FROM search_outbox"
            )
        assert retried["n"] > 0 and retried["attempts"] >= 1 and "connection refused" in retried["error"]
        assert await engine.get_ids() == set()

        assert engine.setups == 3  # set-up is retried too: the service may start while the engine is down
        engine.down = False
        await wait_until_empty(listings)
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
    expected = {f"product:p{i}": f"Sản phẩm {'mới ' if i % 3 == 0 else ''}{i}" for i in range(30) if i not in (1, 2)}
    assert await names_in_index(engine) == expected


async def test_drain_once_reports_an_engine_failure_and_reschedules(listings: asyncpg.Pool) -> None:
    engine = FlakyEngine(listings)
    indexer = Indexer(listings, engine, [ListingSource()], retry_base=60)
    await save_listing(listings, "nho", "Nho")
    with pytest.raises(IndexingFailed):
        await indexer.drain_once()
    # The row stays, pushed into the future, so a dead engine is not hammered.
    assert await outbox_size(listings) == 1
    assert await indexer.drain_once() == 0


async def test_two_indexers_at_once_index_each_change_exactly_once(listings: asyncpg.Pool) -> None:
    engine = RecordingEngine(listings)
    for i in range(40):
        await save_listing(listings, f"p{i:02}", f"Sản phẩm {i}")
    first = Indexer(listings, engine, [ListingSource()], batch_size=4)
    second = Indexer(listings, engine, [ListingSource()], batch_size=4)
    await asyncio.gather(
        asyncio.create_task(first.drain(), name="first"), asyncio.create_task(second.drain(), name="second")
    )
    await first.drain()  # rows one indexer skipped while the other held their document, if any
    assert engine.callers == {"first", "second"}
    counts = Counter(engine.upserted)
    assert set(counts) == {f"product:p{i:02}" for i in range(40)}
    assert set(counts.values()) == {1}
    assert await outbox_size(listings) == 0


async def test_notify_wakes_a_sleeping_indexer(listings: asyncpg.Pool) -> None:
    engine = PostgresEngine(listings)
    # A poll interval far longer than the guard: only NOTIFY can make this converge in time.
    indexer = SleepWatchingIndexer(listings, engine, [ListingSource()], poll_interval=3600)
    runner = asyncio.create_task(indexer.run())
    try:
        # Write only once it has drained nothing and gone to sleep, so the write cannot be picked up by that
        # first drain instead of by NOTIFY.
        await asyncio.wait_for(indexer.asleep.wait(), GUARD_SECONDS)
        await save_listing(listings, "kate", "Lễ hội Katê")
        await wait_until_empty(listings)
    finally:
        runner.cancel()
        with pytest.raises(asyncio.CancelledError):
            await runner
    assert await engine.get_ids() == {"product:kate"}


async def test_rows_of_a_kind_without_a_source_are_dropped(listings: asyncpg.Pool) -> None:
    indexer = Indexer(listings, PostgresEngine(listings), [ListingSource()])
    async with listings.acquire() as connection, connection.transaction():
        await enqueue(connection, ["spaceship:1"])
    assert await indexer.drain() == 1
    assert await outbox_size(listings) == 0
