"""argon2 runs in a worker thread: the server answers other requests while a password is hashed or verified."""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from marketplace.accounts import service
from tests.helpers import PASSWORD, make_user


def _held(monkeypatch: pytest.MonkeyPatch, name: str, events: list[str]) -> tuple[threading.Event, threading.Event]:
    """Replace service.<name> by one that waits for `release` (at most 10 s) before doing its work."""
    original: Callable[..., Any] = getattr(service, name)
    started, release = threading.Event(), threading.Event()

    def held(*args: Any) -> Any:
        started.set()
        release.wait(timeout=10)
        events.append(f"{name} done")
        return original(*args)

    monkeypatch.setattr(service, name, held)
    return started, release


async def _health_while(live_server: Any, request: Callable[[httpx.AsyncClient], Any], started: threading.Event,
                        release: threading.Event, events: list[str]) -> int:
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        slow = asyncio.ensure_future(request(http))
        assert await asyncio.to_thread(started.wait, 10)
        health = await http.get("/healthz")
        events.append(f"healthz {health.status_code}")
        release.set()
        return (await slow).status_code


async def test_sign_up_hashes_off_the_loop(live_server, monkeypatch) -> None:
    events: list[str] = []
    started, release = _held(monkeypatch, "hash_password", events)
    status = await _health_while(live_server, lambda http: http.post(
        "/api/v1/auth/sign-up", json={"email": "new@example.vn", "password": "a long enough password"}),
        started, release, events)
    assert status == 201
    assert events == ["healthz 200", "hash_password done"]


async def test_sign_in_verifies_off_the_loop(live_server, pool, monkeypatch) -> None:
    await make_user(pool, "someone@example.vn", ["customer"])
    events: list[str] = []
    started, release = _held(monkeypatch, "_verify", events)
    status = await _health_while(live_server, lambda http: http.post(
        "/api/v1/auth/sign-in", json={"email": "someone@example.vn", "password": PASSWORD}),
        started, release, events)
    assert status == 200
    assert events == ["healthz 200", "_verify done"]
