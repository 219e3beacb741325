"""Pages are revalidated, never kept for a time: an edit shows on the next request (issue 13), and no page
may be kept by a shared cache (issue 10, point 11)."""

import asyncpg
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from tests.helpers import make_user, sign_in
from tourism.demo.seed import seed_demo

# "Open now" and today's events change with the minute, and with them a page's ETag.
pytestmark = pytest.mark.usefixtures("frozen_clock")

PAGES = ["/vi/", "/vi/attractions", "/vi/attractions/po-klong-garai", "/vi/events", "/vi/events/kate",
         "/vi/search?q=thap"]


@pytest_asyncio.fixture
async def demo(pool: asyncpg.Pool) -> asyncpg.Pool:
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
    return pool


async def _check_revalidated(client: AsyncTestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200, path
    cache_control = response.headers["cache-control"]
    assert "public" not in cache_control, (path, cache_control)
    # "max-age=60" let a browser show a price or a date a minute old without asking: validate every time.
    assert "no-cache" in cache_control or "no-store" in cache_control, (path, cache_control)
    if etag := response.headers.get("etag"):
        assert (await client.get(path, headers={"if-none-match": etag})).status_code == 304, path


async def test_pages_are_revalidated_on_every_request(demo: asyncpg.Pool, client: AsyncTestClient) -> None:
    for path in PAGES:
        await _check_revalidated(client, path)


async def test_pages_of_a_signed_in_visitor_are_private_and_revalidated(
    demo: asyncpg.Pool, client: AsyncTestClient
) -> None:
    await make_user(demo, "mai.cache@example.vn", ["customer"])
    await sign_in(client, "mai.cache@example.vn")
    for path in PAGES:
        await _check_revalidated(client, path)
        assert "mai.cache" in (await client.get(path)).text, path


async def test_an_edit_shows_on_the_next_request(demo: asyncpg.Pool, client: AsyncTestClient) -> None:
    path = "/vi/attractions/po-klong-garai"
    before = await client.get(path)
    async with demo.acquire() as connection:
        await connection.execute(
            "UPDATE tourism.attractions SET name = jsonb_set(name, '{vi}', '\"Tháp Chàm mới sửa\"')"
            " WHERE slug = 'po-klong-garai'"
        )
    after = await client.get(path, headers={"if-none-match": before.headers["etag"]})
    assert after.status_code == 200 and "Tháp Chàm mới sửa" in after.text
    assert after.headers["etag"] != before.headers["etag"]
