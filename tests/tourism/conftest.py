"""Fixtures for tourism tests: demo data, indexing through the real outbox, tokens, sample listings."""

import json
import re
from collections.abc import Awaitable, Callable

import asyncpg
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from search.indexer import Indexer
from search.models import GeoPoint, SearchDocument
from search.postgres import PostgresEngine
from tourism.demo.seed import seed_demo
from tourism.search_source import TourismSource

# Po Klong Garai's point in the demo data.
TOWER = (11.6018, 108.9465)


@pytest.fixture
def tower() -> tuple[float, float]:
    return TOWER


@pytest_asyncio.fixture
async def demo(pool: asyncpg.Pool) -> asyncpg.Pool:
    """The pool, with the demo attractions and events committed in its database."""
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
    return pool


@pytest.fixture
def drain(pool: asyncpg.Pool) -> Callable[[], Awaitable[PostgresEngine]]:
    """Index what the outbox holds with the real indexer and PostgreSQL engine; returns the engine."""

    async def run() -> PostgresEngine:
        engine = PostgresEngine(pool)
        await engine.setup()
        await Indexer(pool, engine, [TourismSource()]).drain()
        return engine

    return run


def make_listing(
    kind: str, key: str, name: dict[str, str], point: tuple[float, float], **fields: object
) -> SearchDocument:
    """A marketplace listing as search holds it (tourism only ever sees these through search)."""
    return SearchDocument(
        id=f"{kind}:{key}",
        kind=kind,
        slug=key,
        name=name,  # type: ignore[arg-type]
        point=GeoPoint(lat=point[0], lng=point[1]),
        url_path=f"/{kind}s/{key}",
        **fields,
    )  # type: ignore[arg-type]


def offset(point: tuple[float, float], north_km: float, east_km: float = 0.0) -> tuple[float, float]:
    """A point about `north_km` north and `east_km` east of another."""
    return point[0] + north_km / 111.2, point[1] + east_km / 109.0


@pytest.fixture
def listing() -> Callable[..., SearchDocument]:
    return make_listing


@pytest.fixture
def shift() -> Callable[..., tuple[float, float]]:
    return offset


@pytest.fixture
def api_token(pool: asyncpg.Pool) -> Callable[..., Awaitable[str]]:
    """Makes an API token with the given roles (default editor)."""

    async def make(*roles: str) -> str:
        from marketplace.accounts.service import create_api_token

        async with pool.acquire() as connection, connection.transaction():
            created = await create_api_token(connection, name="test", roles=list(roles or ("editor",)), created_by=None)
        return created.token

    return make


@pytest.fixture
def session(pool: asyncpg.Pool) -> Callable[..., Awaitable[str]]:
    """Signs up a user with the given roles and returns their session id (set it as the `sid` cookie)."""

    async def make(*roles: str) -> str:
        from marketplace.accounts.service import create_user, start_session

        async with pool.acquire() as connection, connection.transaction():
            user = await create_user(
                connection,
                email=f"{'-'.join(roles)}@example.test",
                password=None,
                roles=list(roles),
                display_name="Test",
            )
            return await start_session(connection, user.id)

    return make


@pytest.fixture
def page_json_ld() -> Callable[[str], dict[str, object]]:
    """The schema.org JSON-LD a page carries, parsed."""

    def parse(html: str) -> dict[str, object]:
        match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
        assert match, "no JSON-LD on the page"
        return json.loads(match.group(1))

    return parse


@pytest.fixture
def csrf() -> Callable[[AsyncTestClient, str], Awaitable[str]]:
    """The CSRF token from a page's form (its cookie stays in the client)."""

    async def get_token(client: AsyncTestClient, path: str = "/vi/attractions") -> str:
        response = await client.get(path)
        match = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
        assert match, f"no CSRF field on {path}"
        return match.group(1)

    return get_token
