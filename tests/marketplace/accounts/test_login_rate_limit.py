"""The login rate limit: per (account, client) pair and per IP address, without locking other accounts out."""

from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from tests.helpers import PASSWORD, make_user


@pytest.mark.usefixtures("throttling_outlasts_the_test")
async def test_login_rate_limit_per_account(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "target@example.vn", ["customer"])
    for _ in range(5):
        bad = await client.post("/api/v1/auth/sign-in", json={"email": "target@example.vn", "password": "wrong-pass"})
        assert bad.status_code == 401
    blocked = await client.post("/api/v1/auth/sign-in", json={"email": "target@example.vn", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "login_rate_limited"
    assert int(blocked.headers["retry-after"]) > 0
    # Other accounts from elsewhere are not locked out by this one.
    await make_user(pool, "other@example.vn", ["customer"])
    assert (await client.post("/api/v1/auth/sign-in",
                              json={"email": "other@example.vn", "password": PASSWORD})).status_code == 200


async def test_login_rate_limit_per_ip(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "victim@example.vn", ["customer"])
    # The test client has no IP address; record failures as if from one address and check it is blocked.
    await pool.execute("INSERT INTO login_failures (ip, account) SELECT '203.0.113.9', 'guess' || g "
                       "FROM generate_series(1, 20) g")
    from marketplace.accounts import service
    from marketplace.platform.errors import TooManyRequests

    try:
        await service.authenticate(pool, "victim@example.vn", PASSWORD, "203.0.113.9")
    except TooManyRequests:
        pass
    else:
        raise AssertionError("the IP address should be rate limited")
    user = await service.authenticate(pool, "victim@example.vn", PASSWORD, "198.51.100.1")
    assert user.email == "victim@example.vn"
