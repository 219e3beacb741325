"""Rate limits count across connections (so across servers) and refuse with 429 once over."""

from datetime import UTC, datetime, timedelta

import pytest

from marketplace.platform.errors import TooManyRequests
from marketplace.platform.ratelimit import RateLimit, count_hit, delete_old_windows, enforce

NOON = datetime(2026, 12, 6, 12, 0, 0, tzinfo=UTC)
LIMIT = RateLimit("test-trips", hits=3, window_seconds=60)


async def test_hits_within_the_limit_pass_and_the_next_is_refused(pool) -> None:
    assert [await count_hit(pool, LIMIT, "198.51.100.7", NOON) for _ in range(4)] == [True, True, True, False]


async def test_keys_and_windows_count_apart(pool) -> None:
    for _ in range(3):
        await count_hit(pool, LIMIT, "198.51.100.7", NOON)
    assert await count_hit(pool, LIMIT, "198.51.100.8", NOON)
    assert await count_hit(pool, LIMIT, "198.51.100.7", NOON + timedelta(seconds=60))


async def test_enforce_raises_429_with_retry_after(pool) -> None:
    for _ in range(3):
        await enforce(pool, LIMIT, "203.0.113.1", NOON)
    with pytest.raises(TooManyRequests) as refused:
        await enforce(pool, LIMIT, "203.0.113.1", NOON)
    assert refused.value.status_code == 429
    assert refused.value.headers["Retry-After"] == "60"


async def test_unknown_client_is_not_limited(pool) -> None:
    for _ in range(5):
        await enforce(pool, LIMIT, None, NOON)


async def test_old_windows_are_forgotten(pool) -> None:
    await count_hit(pool, LIMIT, "a", datetime.now(UTC) - timedelta(days=2))
    await count_hit(pool, LIMIT, "b", datetime.now(UTC))
    assert await delete_old_windows(pool) == 1
