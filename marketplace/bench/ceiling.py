"""The bare ceiling app of the page benchmark: what Litestar, the server and PostgreSQL give with no work.

Served by the same server with the same workers as the real app, on the same PostgreSQL: `/plain` (text),
`/json` (a small JSON object) and `/select1` (one `SELECT 1` on an asyncpg pool like the app's).
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, MediaType, get

from marketplace.platform.database import create_pool

__all__ = ["create_app"]


def create_app() -> Litestar:
    """The ceiling app on DATABASE_URL (a factory, as granian calls it in each worker)."""
    state: dict[str, asyncpg.Pool] = {}

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        state["pool"] = await create_pool(os.environ["DATABASE_URL"])
        try:
            yield
        finally:
            await state["pool"].close()

    @get("/plain", media_type=MediaType.TEXT, sync_to_thread=False)
    def plain() -> str:
        return "ok"

    @get("/json", sync_to_thread=False)
    def json() -> dict[str, str]:
        return {"status": "ok"}

    @get("/select1")
    async def select1() -> dict[str, int]:
        async with state["pool"].acquire() as connection:
            return {"value": await connection.fetchval("SELECT 1")}

    return Litestar([plain, json, select1], lifespan=[lifespan], openapi_config=None)
