"""Waiting for work in a background job: a LISTEN connection that wakes it, or its stop event."""

import asyncio
import contextlib
from collections.abc import Callable, Sequence

import asyncpg

__all__ = ["first_of", "release_listener"]


async def first_of(*events: asyncio.Event) -> None:
    """Return when any of the events is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def release_listener(pool: asyncpg.Pool, listener: asyncpg.Connection | None, channels: Sequence[str],
                           on_notify: Callable[..., None]) -> None:
    """Stop listening on the channels and give the connection back; None, to assign to the caller's handle.

    Errors are swallowed: this runs when the database may be restarting, and the job listens again later.
    """
    if listener is None:
        return None
    for channel in channels:
        with contextlib.suppress(Exception):
            await listener.remove_listener(channel, on_notify)
    with contextlib.suppress(Exception):
        await pool.release(listener)
    return None
