"""Helpers for tests: users with roles, signing in, reading the CSRF token, waiting for a condition."""

import asyncio
import inspect
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from marketplace.accounts import service

PASSWORD = "correct horse battery"


async def make_user(pool: asyncpg.Pool, email: str, roles: list[str], password: str = PASSWORD) -> int:
    async with pool.acquire() as connection:
        user = await service.create_user(connection, email=email, password=password, roles=roles,
                                         display_name=email.split("@")[0])
    return user.id


async def sign_in(client: AsyncTestClient[Any], email: str, password: str = PASSWORD) -> None:
    response = await client.post("/api/v1/auth/sign-in", json={"email": email, "password": password})
    assert response.status_code == 200, response.text


async def csrf_token(client: AsyncTestClient[Any], path: str = "/vi/account/sign-in") -> str:
    """Load a page with a form and return its hidden CSRF token."""
    page = await client.get(path)
    match = re.search(r'name="_csrf_token" value="([^"]+)"', page.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


async def eventually(condition: Callable[[], Awaitable[bool] | bool], seconds: float = 20.0,
                     interval: float = 0.02) -> None:
    """Wait until `condition()` holds; for state another event loop or process changes (polled, bounded)."""
    for _ in range(max(1, round(seconds / interval))):
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"not true within {seconds} s")


def wait_until(condition: Callable[[], bool], what: str = "the condition", seconds: float = 30.0,
               interval: float = 0.1) -> None:
    """Block until `condition()` holds; for the state of a subprocess or server (polled, bounded)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} not within {seconds} s"
        time.sleep(interval)


async def listening_sessions(db: asyncpg.Pool | asyncpg.Connection, channel: str,
                             application_name: str | None = None) -> int:
    """Sessions of the current database waiting on LISTEN `channel` (a listener's last statement stays LISTEN
    while it waits): a NOTIFY sent before then wakes nobody."""
    return await db.fetchval(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query = $1"
        " AND ($2::text IS NULL OR application_name = $2)", f'LISTEN "{channel}"', application_name)
