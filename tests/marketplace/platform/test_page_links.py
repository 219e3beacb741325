"""Every page names its canonical URL and its translations with absolute links; Korean never breaks mid-word."""

import re

from litestar.testing import AsyncTestClient

from marketplace.platform.settings import Settings


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
