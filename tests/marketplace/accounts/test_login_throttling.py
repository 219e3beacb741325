"""Sign-in throttling per (account, client) pair: an attacker elsewhere cannot lock the owner out."""

from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from marketplace.accounts import service
from marketplace.accounts.service import LoginLimits
from marketplace.app import create_app
from marketplace.platform.errors import TooManyRequests, Unauthorized
from marketplace.platform.settings import load_settings
from tests.helpers import PASSWORD, make_user

ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


async def _guess(pool: asyncpg.Pool, email: str, ip: str) -> str:
    try:
        await service.authenticate(pool, email, "not-the-password", ip)
    except Unauthorized:
        return "wrong"
    except TooManyRequests:
        return "throttled"
    return "signed-in"


@pytest.mark.usefixtures("throttling_outlasts_the_test")
async def test_an_attackers_failures_do_not_lock_the_owner_out(pool: asyncpg.Pool) -> None:
    await make_user(pool, "admin-owner@example.vn", ["admin"])
    outcomes = [await _guess(pool, "admin-owner@example.vn", ATTACKER) for _ in range(8)]
    # The attacker's own attempts slow down after a few failures...
    assert outcomes[:5] == ["wrong"] * 5 and outcomes[5:] == ["throttled"] * 3
    # ...but the owner, from another address, signs in at once.
    user = await service.authenticate(pool, "admin-owner@example.vn", PASSWORD, OWNER)
    assert user.email == "admin-owner@example.vn"
    # And the attacker is still throttled afterwards: the owner's success forgives only the owner's address.
    assert await _guess(pool, "admin-owner@example.vn", ATTACKER) == "throttled"


def test_delays_grow_per_failure_up_to_a_cap() -> None:
    limits = LoginLimits()
    delays = [limits.pair_delay(failures).total_seconds() for failures in range(1, 20)]
    assert delays[:4] == [0, 0, 0, 0]
    assert delays[4:8] == [5, 10, 20, 40]
    assert max(delays) == limits.max_delay.total_seconds() and delays == sorted(delays)


async def test_retry_after_tells_how_long_the_pair_must_wait(pool: asyncpg.Pool) -> None:
    await make_user(pool, "waiting@example.vn", ["customer"])
    await pool.execute("INSERT INTO login_failures (ip, account) SELECT $1::inet, 'waiting@example.vn' "
                       "FROM generate_series(1, 7)", ATTACKER)
    with pytest.raises(TooManyRequests) as refused:
        await service.authenticate(pool, "waiting@example.vn", PASSWORD, ATTACKER)
    # Seven failures: the eighth attempt waits 5 s doubled twice, measured from the last failure.
    assert 0 < refused.value.details["retry_after_seconds"] <= 21


@pytest.fixture
def proxied_settings(db_uri: str, tmp_path: Path):
    return load_settings({"DATABASE_URL": db_uri, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                          "DATA_DIR": str(tmp_path / "data"), "RUN_INDEXER": "false",
                          "TRUSTED_PROXIES": "10.0.0.0/8, fd00::/8"})


@pytest.mark.usefixtures("throttling_outlasts_the_test")
async def test_behind_a_trusted_proxy_two_clients_are_throttled_apart(proxied_settings: Any,
                                                                     pool: asyncpg.Pool) -> None:
    await make_user(pool, "shared@example.vn", ["customer"])
    app = create_app(proxied_settings)

    async def through_the_proxy(scope: Any, receive: Any, send: Any) -> None:
        # Every request reaches the app from a socket peer in 10/8: the reverse proxy.
        await app({**scope, "client": ("10.1.2.3", 40000)} if scope["type"] == "http" else scope, receive, send)

    async with AsyncTestClient(app=through_the_proxy, base_url="http://127.0.0.1:8000") as proxy:
        async def sign_in(password: str, forwarded_for: str) -> int:
            response = await proxy.post("/api/v1/auth/sign-in",
                                        json={"email": "shared@example.vn", "password": password},
                                        headers={"x-forwarded-for": forwarded_for})
            return response.status_code

        # The attacker forges an address on the left; the proxy appended the real one on the right.
        attacks = [await sign_in("wrong-password", f"{OWNER}, {ATTACKER}") for _ in range(6)]
        assert attacks == [401] * 5 + [429]
        assert await sign_in(PASSWORD, OWNER) == 200
    rows = await pool.fetch("SELECT DISTINCT host(ip) AS ip FROM login_failures WHERE account = 'shared@example.vn'")
    assert [row["ip"] for row in rows] == [ATTACKER]
