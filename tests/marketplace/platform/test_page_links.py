"""Every page names its canonical URL and its translations with absolute links; Korean never breaks mid-word."""

import re

import asyncpg
from litestar.testing import AsyncTestClient

from marketplace.platform.settings import Settings
from tourism.demo.seed import seed_demo


async def test_hreflang_and_canonical_links_are_absolute(client: AsyncTestClient, settings: Settings) -> None:
    page = (await client.get("/ko/products")).text
    origin = settings.base_url.rstrip("/")
    assert re.findall(r'<link rel="canonical" href="([^"]+)"', page) == [f"{origin}/ko/products"]
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', page))
    assert alternates["ar"] == f"{origin}/ar/products" and alternates["x-default"] == f"{origin}/"
    assert len(alternates) == 9 and all(href.startswith(origin + "/") for href in alternates.values())


async def test_korean_text_breaks_between_words(client: AsyncTestClient) -> None:
    css = (await client.get("/static/site.css")).text
    assert re.search(r":lang\(ko\)\{[^}]*word-break:keep-all", css)


async def test_every_kind_of_page_names_its_canonical_and_translations(
    pool: asyncpg.Pool, client: AsyncTestClient, settings: Settings
) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
    origin = settings.base_url.rstrip("/")
    pages = ["/", "/attractions", "/attractions/po-klong-garai", "/events", "/events/kate", "/products",
             "/search", "/trip", "/account/sign-in", "/open-data", "/no-such-page"]
    for path in pages:
        response = await client.get(f"/ar{path}?page=1")
        assert response.status_code in (200, 404), path
        canonical = re.findall(r'<link rel="canonical" href="([^"]+)"', response.text)
        assert canonical == [f"{origin}/ar{path}"], (path, canonical)  # absolute, without the query
        alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)"', response.text))
        assert set(alternates) == {"vi", "en", "zh", "ko", "ja", "ru", "fr", "ar", "x-default"}, path
        assert alternates["ko"] == f"{origin}/ko{path}", path
