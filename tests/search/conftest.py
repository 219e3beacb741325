"""Fixtures for the search tests: every engine, loaded with the shared listings.

Meilisearch: MEILISEARCH_URL's server if set, else a throwaway server from the binary `.ci/meilisearch.sh`
installs. Without either the Meilisearch cases are skipped locally, and fail in CI (CI=true), so CI never
passes without having run them.
"""

import contextlib
import os
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass

import asyncpg
import pytest
import pytest_asyncio

from search.bench.meili_server import MeilisearchServer, find_binary
from search.engine import SearchEngine
from search.meili import MeilisearchEngine
from search.models import SearchDocument
from search.postgres import PostgresEngine
from tests.search.search_samples import DOCUMENTS

ENGINES = ["postgres", "meilisearch"]


@dataclass(frozen=True)
class MeiliTarget:
    url: str
    api_key: str | None


@pytest.fixture(scope="session")
def meili_target() -> Iterator[MeiliTarget]:
    """The Meilisearch server of this test session."""
    if url := os.environ.get("MEILISEARCH_URL"):
        yield MeiliTarget(url, os.environ.get("MEILISEARCH_API_KEY"))
        return
    binary = find_binary()
    if binary is None:
        message = "no Meilisearch: set MEILISEARCH_URL or install the binary with .ci/meilisearch.sh"
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with MeilisearchServer(binary) as server:
        yield MeiliTarget(server.url, server.api_key)


class TrackedMeilisearchEngine(MeilisearchEngine):
    """Remembers whether a test changed its index, so an unchanged loaded index can serve the next test."""

    changed = False

    async def upsert(self, documents: Sequence[SearchDocument]) -> None:
        self.changed = True
        await super().upsert(documents)

    async def delete(self, document_ids: Sequence[str]) -> None:
        self.changed = True
        await super().delete(document_ids)

    async def clear(self) -> None:
        self.changed = True
        await super().clear()


def _meili(target: MeiliTarget, index_uid: str) -> TrackedMeilisearchEngine:
    return TrackedMeilisearchEngine(target.url, target.api_key, index_uid=index_uid)


async def make_engine(name: str, request: pytest.FixtureRequest, pool: asyncpg.Pool) -> SearchEngine:
    if name == "postgres":
        return PostgresEngine(pool)
    return _meili(request.getfixturevalue("meili_target"), f"test_{uuid.uuid4().hex[:12]}")


@pytest_asyncio.fixture(params=ENGINES)
async def engine(request: pytest.FixtureRequest, pool: asyncpg.Pool) -> AsyncIterator[SearchEngine]:
    """An empty engine of each kind."""
    created = await make_engine(request.param, request, pool)
    await created.setup()
    try:
        yield created
    finally:
        if isinstance(created, MeilisearchEngine):
            await created.drop_index()
        await created.close()


@pytest.fixture(scope="session")
def _loaded_meili_indexes() -> Iterator[dict[str, MeiliTarget]]:
    """index uid -> server of each loaded Meilisearch index still unchanged; deleted at the end."""
    unchanged: dict[str, MeiliTarget] = {}
    yield unchanged
    for index_uid, target in unchanged.items():
        headers = {"Authorization": f"Bearer {target.api_key}"} if target.api_key else {}
        deletion = urllib.request.Request(f"{target.url}/indexes/{index_uid}", method="DELETE", headers=headers)
        with contextlib.suppress(OSError), urllib.request.urlopen(deletion, timeout=10):
            pass


async def _loaded_meili(request: pytest.FixtureRequest) -> AsyncIterator[TrackedMeilisearchEngine]:
    # Loading an index costs Meilisearch seconds of CPU: tests that only read share one loaded index, and
    # the index is rebuilt only after a test that changed it.
    target: MeiliTarget = request.getfixturevalue("meili_target")
    unchanged: dict[str, MeiliTarget] = request.getfixturevalue("_loaded_meili_indexes")
    reused = next((uid for uid, server in unchanged.items() if server == target), None)
    engine = _meili(target, reused or f"test_{uuid.uuid4().hex[:12]}")
    if reused is None:
        await engine.setup()
        await engine.upsert(DOCUMENTS)
        engine.changed = False
        unchanged[engine.index_uid] = target
    try:
        yield engine
    finally:
        if engine.changed:
            unchanged.pop(engine.index_uid, None)
            await engine.drop_index()
        await engine.close()


@pytest_asyncio.fixture(params=ENGINES)
async def loaded(request: pytest.FixtureRequest, pool: asyncpg.Pool) -> AsyncIterator[SearchEngine]:
    """The engine holding the shared listings."""
    if request.param == "meilisearch":
        async for engine in _loaded_meili(request):
            yield engine
        return
    created = await make_engine(request.param, request, pool)
    await created.setup()
    await created.upsert(DOCUMENTS)
    try:
        yield created
    finally:
        await created.close()
