"""Fixtures for the search tests: every engine, loaded with the shared listings."""

import os
import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
import pytest_asyncio

from search.engine import SearchEngine
from search.postgres import PostgresEngine
from tests.search.search_samples import DOCUMENTS

ENGINES = ["postgres", "meilisearch"]


async def make_engine(name: str, pool: asyncpg.Pool) -> SearchEngine:
    if name == "postgres":
        return PostgresEngine(pool)
    url = os.environ.get("MEILISEARCH_URL")
    if not url:
        pytest.skip("MEILISEARCH_URL not set")
    from search.meili import MeilisearchEngine

    return MeilisearchEngine(url, os.environ.get("MEILISEARCH_API_KEY"), index_uid=f"test_{uuid.uuid4().hex[:12]}")


@pytest_asyncio.fixture(params=ENGINES)
async def engine(request: pytest.FixtureRequest, pool: asyncpg.Pool) -> AsyncIterator[SearchEngine]:
    """An empty engine of each kind (Meilisearch only where MEILISEARCH_URL is set)."""
    created = await make_engine(request.param, pool)
    await created.setup()
    try:
        yield created
    finally:
        if request.param == "meilisearch":
            await created.drop_index()  # type: ignore[attr-defined]
        await created.close()


@pytest_asyncio.fixture
async def loaded(engine: SearchEngine) -> SearchEngine:
    """The engine holding the shared listings."""
    await engine.upsert(DOCUMENTS)
    return engine
