"""Searches are counted in memory and written together: within SEARCH_LOG_FLUSH_SECONDS, at a clean stop, and
again after the database could not take them."""

import asyncio
from typing import Any

import asyncpg
import pytest

from marketplace.app import create_app
from marketplace.platform.runtime import runtime_of
from search import service
from search.service import flush_search_log, record_search
from tests.helpers import eventually


async def _counters(pool: asyncpg.Pool) -> list[tuple[str, int, int, int]]:
    # Summed over days: a test running across midnight UTC writes two days' counters.
    rows = await pool.fetch("SELECT query, sum(searches)::int, sum(without_results)::int, sum(results_total)::int"
                            " FROM search_query_daily GROUP BY query ORDER BY query")
    return [tuple(row) for row in rows]


async def test_searches_reach_the_counters_in_one_write_without_being_asked(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "SEARCH_LOG_FLUSH_SECONDS", 0.2)
    writes = 0
    add_query_counts = service.repository.add_query_counts

    async def counting_add(connection: asyncpg.Connection, counts: list[Any]) -> None:
        nonlocal writes
        writes += 1
        await add_query_counts(connection, counts)

    monkeypatch.setattr(service.repository, "add_query_counts", counting_add)
    for text, results in [("Nho Ninh Thuận", 12), ("nho  ninh thuận", 8), ("gốm", 0), ("call 0912 345 678", 0)]:
        record_search(pool, text, "vi", results)
    # Nothing written on the search's own path (checked before any await lets the flusher run).
    assert writes == 0 and service.search_log_pending(pool)
    await eventually(lambda: _has_rows(pool))
    assert await _counters(pool) == [("call …", 1, 1, 0), ("gốm", 1, 1, 0), ("nho ninh thuận", 2, 0, 20)]
    assert writes == 1


async def _has_rows(pool: asyncpg.Pool) -> bool:
    return bool(await _counters(pool))


async def test_counts_kept_while_the_database_refuses_them_are_written_later(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "SEARCH_LOG_FLUSH_SECONDS", 3600)  # only explicit flushes in this test
    failing = True
    add_query_counts = service.repository.add_query_counts

    async def flaky_add(connection: asyncpg.Connection, counts: list[Any]) -> None:
        if failing:
            raise asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command")
        await add_query_counts(connection, counts)

    monkeypatch.setattr(service.repository, "add_query_counts", flaky_add)
    record_search(pool, "nho", "vi", 3)
    await flush_search_log(pool)  # refused: kept
    record_search(pool, "nho", "vi", 5)
    failing = False
    await flush_search_log(pool)
    assert await _counters(pool) == [("nho", 2, 0, 8)]


async def test_a_clean_stop_writes_what_was_counted(settings: Any, pool: asyncpg.Pool,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "SEARCH_LOG_FLUSH_SECONDS", 3600)
    app = create_app(settings)
    async with app.lifespan():
        record_search(runtime_of(app.state).require_pool(), "tháp chàm", "en", 4)
        assert await _counters(pool) == []
    assert await _counters(pool) == [("tháp chàm", 1, 0, 4)]


async def test_a_flush_asked_during_a_write_returns_only_once_that_write_is_in(
    pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CI caught the editors' report reading 0 searches: the 2-second flusher had taken the counts and was
    # writing them, so the report's own flush found nothing to write and returned before they were in.
    monkeypatch.setattr(service, "SEARCH_LOG_FLUSH_SECONDS", 3600)  # only explicit flushes in this test
    add_query_counts = service.repository.add_query_counts
    writing, may_finish = asyncio.Event(), asyncio.Event()

    async def held_add(connection: asyncpg.Connection, counts: list[Any]) -> None:
        writing.set()
        await may_finish.wait()
        await add_query_counts(connection, counts)

    monkeypatch.setattr(service.repository, "add_query_counts", held_add)
    record_search(pool, "nho", "en", 4)
    background_write = asyncio.create_task(flush_search_log(pool))  # as the 2-second flusher's
    try:
        await writing.wait()
        report_flush = asyncio.create_task(flush_search_log(pool))
        for _ in range(5):  # with nothing of its own to write, a flush that does not wait ends in one step
            await asyncio.sleep(0)
        assert not report_flush.done()
        may_finish.set()
        await report_flush
        assert await _counters(pool) == [("nho", 1, 0, 4)]
    finally:
        may_finish.set()  # the held write gives its connection back whatever happened
        await background_write
