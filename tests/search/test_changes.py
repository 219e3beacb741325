"""The change log: events exist exactly when their transaction commits, and readers see them in commit order."""

import asyncpg
import pytest

from search.changes import EVENT_TYPES, list_changes, record_event, sequence_changes


async def _sequence(pool: asyncpg.Pool) -> list[int]:
    async with pool.acquire() as connection, connection.transaction():
        return [event.id for event in await sequence_changes(connection)]


async def test_a_rolled_back_change_records_nothing(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        transaction = connection.transaction()
        await transaction.start()
        await record_event(connection, "attraction.created", {"id": 1, "slug": "gone"})
        await transaction.rollback()
        async with connection.transaction():
            await record_event(connection, "attraction.created", {"id": 2, "slug": "kept"})
    await _sequence(pool)
    async with pool.acquire() as connection:
        events = await list_changes(connection, 0, 10)
    assert [(event.type, event.data["slug"], event.position) for event in events] == [
        ("attraction.created", "kept", 1)]


async def test_a_late_commit_is_not_passed_over_by_a_cursor(pool: asyncpg.Pool) -> None:
    early = await pool.acquire()
    try:
        slow = early.transaction()
        await slow.start()
        # Takes the smaller id but commits last.
        slow_id = await record_event(early, "product.updated", {"id": 1})
        async with pool.acquire() as connection, connection.transaction():
            quick_id = await record_event(connection, "product.updated", {"id": 2})
        assert slow_id < quick_id
        assert await _sequence(pool) == [quick_id]
        async with pool.acquire() as connection:
            first_page = await list_changes(connection, 0, 10)
        cursor = first_page[-1].position
        await slow.commit()
    finally:
        await pool.release(early)
    assert await _sequence(pool) == [slow_id]
    async with pool.acquire() as connection:
        after_cursor = await list_changes(connection, cursor, 10)
    assert [event.id for event in after_cursor] == [slow_id]
    assert after_cursor[0].position == cursor + 1


async def test_one_sequencer_at_a_time(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await record_event(connection, "event.created", {"id": 1})
    async with pool.acquire() as first, first.transaction():
        assert len(await sequence_changes(first)) == 1
        async with pool.acquire() as second, second.transaction():
            # The other process would wait behind the first one's lock; it skips instead.
            assert await sequence_changes(second) == []


@pytest.mark.parametrize("event_type,data", [("attraction.renamed", {}), ("product.created", [1]),
                                             ("product.created", {"x": "y" * 20_000})])
async def test_refuses_unknown_types_and_bad_data(conn: asyncpg.Connection, event_type: str, data: object) -> None:
    with pytest.raises(ValueError):
        await record_event(conn, event_type, data)


def test_the_event_types_cover_every_listing_and_feedback() -> None:
    assert {"attraction.updated", "experience.deleted", "feedback.created", "feedback.resolved",
            "merchant.approved"} <= set(EVENT_TYPES)


async def test_sequencing_needs_a_transaction(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        with pytest.raises(RuntimeError):
            await sequence_changes(connection)
