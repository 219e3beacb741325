"""Feeds declare their charset once (issue 14: events.ics was served with `charset=utf-8` twice)."""

import asyncpg
import pytest
from litestar.testing import AsyncTestClient


@pytest.mark.parametrize("path", ["/api/v1/events.ics", "/api/v1/events.csv", "/api/v1/attractions.csv"])
async def test_feeds_name_their_charset_once(demo: asyncpg.Pool, client: AsyncTestClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 200, response.text
    content_type = response.headers["content-type"]
    assert content_type.lower().count("charset") == 1, content_type
