"""Anonymous writes are limited per client and expire when unused; searches are never refused for their log."""

from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from marketplace.carts.service import expire_anonymous_carts
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MerchantStart
from marketplace.platform import write_limits
from marketplace.platform.errors import Conflict
from marketplace.platform.ratelimit import RateLimit
from search.models import SearchQuery
from search.postgres import PostgresEngine
from search.service import delete_old_query_log, flush_search_log, run_search
from tests.marketplace.factories import make_user
from tourism.trips.service import expire_unused_trips


def _from(app: Any, address: list[str]) -> Any:
    """The app as reached from the client address address[0] (the test client has none of its own)."""

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        await app({**scope, "client": (address[0], 50000)} if scope["type"] == "http" else scope, receive, send)

    return asgi


async def test_anonymous_trips_and_sign_ups_are_limited_per_client(app: Any, pool: asyncpg.Pool,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(write_limits.ANONYMOUS_WRITE_LIMITS, "trip", RateLimit("test.trip", 3, 600))
    monkeypatch.setitem(write_limits.ANONYMOUS_WRITE_LIMITS, "sign_up", RateLimit("test.sign_up", 1, 3600))
    address = ["203.0.113.10"]
    async with AsyncTestClient(app=_from(app, address)) as first:
        created = [(await first.post("/api/v1/trips/", json={})).status_code for _ in range(4)]
        assert created == [201, 201, 201, 429]
        refused = await first.post("/api/v1/trips/", json={})
        assert refused.json()["error"]["code"] == "rate_limited" and int(refused.headers["retry-after"]) > 0
        address[0] = "203.0.113.11"
        assert (await first.post("/api/v1/trips/", json={})).status_code == 201  # another client is not affected
        address[0] = "203.0.113.10"
        sign_ups = [(await first.post("/api/v1/auth/sign-up", json={"email": f"n{i}@example.vn",
                                                                    "password": "long enough pass"})).status_code
                    for i in range(2)]
        assert sign_ups == [201, 429]
        # Reads are never limited.
        assert {(await first.get("/api/v1/search", params={"q": "nho"})).status_code for _ in range(5)} == {200}
    assert await pool.fetchval("SELECT count(*) FROM tourism.trips") == 4


async def test_at_most_three_pending_merchants_per_account(conn: asyncpg.Connection) -> None:
    owner = await make_user(conn)
    for number in range(3):
        await merchants.start_onboarding(conn, owner, MerchantStart(name=f"Cửa hàng {number}", phone="0912345678"))
    with pytest.raises(Conflict) as refused:
        await merchants.start_onboarding(conn, owner, MerchantStart(name="Cửa hàng 4", phone="0912345678"))
    assert refused.value.code == "too_many_pending_merchants"


async def test_housekeeping_expires_unused_anonymous_carts_trips_and_old_search_rows(conn: asyncpg.Connection) -> None:
    user = await make_user(conn)
    await conn.execute("""
        INSERT INTO carts (token_hash, user_id, updated_at) VALUES
            ('\\x01', NULL, now() - interval '31 days'),   -- unused for a month: goes
            ('\\x02', NULL, now() - interval '2 days'),    -- empty for two days: goes
            ('\\x03', NULL, now() - interval '2 hours'),   -- empty but fresh: stays
            (NULL, $1::bigint, now() - interval '300 days')        -- a user's cart: stays
    """, user.user_id)
    await conn.execute("""
        INSERT INTO tourism.trips (edit_token_hash, share_token, user_id, updated_at) VALUES
            ('\\x01', 'old', NULL, now() - interval '91 days'),
            ('\\x02', 'empty', NULL, now() - interval '2 days'),
            ('\\x03', 'fresh', NULL, now()),
            ('\\x04', 'mine', $1::bigint, now() - interval '400 days')
    """, user.user_id)
    await conn.execute("INSERT INTO search_queries (query, locale, result_count, created_at) VALUES "
                       "('old', 'vi', 1, now() - interval '31 days'), ('recent', 'vi', 1, now() - interval '29 days')")
    assert await expire_anonymous_carts(conn) == 2
    assert await expire_unused_trips(conn) == 2
    assert await delete_old_query_log(conn) == 1
    assert sorted(await conn.fetchval("SELECT array_agg(share_token) FROM tourism.trips")) == ["fresh", "mine"]
    assert await conn.fetchval("SELECT count(*) FROM carts") == 2
    assert await conn.fetchval("SELECT array_agg(query) FROM search_queries") == ["recent"]


async def test_a_search_is_answered_when_its_log_cannot_be_written(pool: asyncpg.Pool, db_uri: str) -> None:
    from marketplace.platform.database import create_pool

    engine = PostgresEngine(pool)
    await engine.setup()
    broken = await create_pool(db_uri, min_size=1, max_size=1)
    await broken.close()  # every acquire now fails, as when the database refuses more connections
    result = await run_search(engine, broken, SearchQuery(text="nho", locale="vi"))
    assert result.page == 1


async def test_searches_add_to_one_daily_counter(pool: asyncpg.Pool) -> None:
    engine = PostgresEngine(pool)
    await engine.setup()
    for _ in range(5):
        await run_search(engine, pool, SearchQuery(text="Nho  Ninh Thuận", locale="vi"))
    await flush_search_log(pool)
    # Summed over days: a run across midnight UTC counts on two days' rows.
    rows = await pool.fetch("SELECT query, sum(searches)::int, sum(without_results)::int FROM search_query_daily"
                            " GROUP BY query")
    assert [tuple(row) for row in rows] == [("nho ninh thuận", 5, 5)]
    assert await pool.fetchval("SELECT count(*) FROM search_queries") == 0
