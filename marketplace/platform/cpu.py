"""CPU-bound steps off the event loop, with a bounded number running at once per process.

A request that hashes a password or decodes an image would otherwise hold the event loop for tens or
hundreds of milliseconds, and every other request of the process (health checks included) would wait.
Each kind of work has its own bound: argon2 uses 64 MiB per hash and an image decode up to a few hundred
MB, so running them without a bound would trade a stalled loop for an exhausted memory.
"""

import asyncio
import weakref
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

__all__ = ["CPU_BOUNDS", "CPU_QUEUES", "ServerBusy", "is_busy", "refuse_when_busy", "run_cpu"]

P = ParamSpec("P")
T = TypeVar("T")

# How many of each kind may run at once in one process; the rest wait their turn on the loop (cheaply).
CPU_BOUNDS: dict[str, int] = {"password_hash": 2, "image": 1}

# How many may wait for a turn; past that the request is refused at once (503, Retry-After) rather than
# queued: a waiting request may hold a database connection, and a long queue would empty the pool.
CPU_QUEUES: dict[str, int] = {"password_hash": 4, "image": 2}


class ServerBusy(TimeoutError):
    """Too much CPU-bound work of this kind is already queued in this process: no slot, at once.

    A TimeoutError, so the app's error handler answers it like a pool timeout: 503 with Retry-After.
    """


# Semaphores belong to one event loop; tests (and portals) may run several loops one after another.
_semaphores: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]]" = (
    weakref.WeakKeyDictionary()
)


def _semaphore(kind: str) -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    per_loop = _semaphores.setdefault(loop, {})
    if kind not in per_loop:
        per_loop[kind] = asyncio.Semaphore(CPU_BOUNDS[kind])
    return per_loop[kind]


_waiting: dict[str, int] = {}


def is_busy(kind: str) -> bool:
    """True when a call of this kind would be refused now (every slot taken, the queue full)."""
    return _semaphore(kind).locked() and _waiting.get(kind, 0) >= CPU_QUEUES[kind]


async def refuse_when_busy(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """App-level guard for routes that declare `opt={"cpu_work": kind}`: 503 before the body is read.

    A guard runs before Litestar parses the request body, so a multi-megabyte upload that would only be
    refused is not parsed on the event loop first (that parsing, repeated by a client that retries at
    once, is what stalled the loop in the abuse benchmark).
    """
    kind = handler.opt.get("cpu_work")
    if kind is not None and is_busy(kind):
        raise ServerBusy(f"{CPU_QUEUES[kind]} {kind} calls already wait for a turn")


async def run_cpu(kind: str, function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run `function` in a worker thread, at most CPU_BOUNDS[kind] of this kind at once per process.

    ServerBusy (503) when CPU_QUEUES[kind] calls already wait for a turn.
    """
    semaphore = _semaphore(kind)
    if is_busy(kind):
        raise ServerBusy(f"{CPU_QUEUES[kind]} {kind} calls already wait for a turn")
    _waiting[kind] = _waiting.get(kind, 0) + 1
    try:
        await semaphore.acquire()
    finally:
        _waiting[kind] -= 1
    try:
        return await asyncio.to_thread(function, *args, **kwargs)
    finally:
        semaphore.release()
