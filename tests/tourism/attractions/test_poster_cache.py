"""Posters render off the event loop, once per content version, and an edit never shows an old poster."""

import asyncio
import threading
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tourism.attractions import api, poster_cache, posters


@pytest.fixture(autouse=True)
def empty_cache() -> None:
    poster_cache.clear_poster_cache()


def _counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """Replace a renderer by one that records each render (and still renders)."""
    original: Callable[..., Any] = getattr(posters, name)
    renders: list[str] = []

    def render(attraction: Any, url: str) -> Any:
        renders.append(attraction.slug)
        return original(attraction, url)

    monkeypatch.setattr(posters, name, render)
    return renders


async def test_the_loop_answers_while_a_pdf_poster_renders(live_server, demo, monkeypatch) -> None:
    started, release = threading.Event(), threading.Event()
    events: list[str] = []
    original = posters.poster_pdf

    def slow_poster(attraction: Any, url: str) -> bytes:
        started.set()
        # Holds the render until the health check has answered (or 10 s, when the render blocks the loop).
        release.wait(timeout=10)
        events.append("poster rendered")
        return original(attraction, url)

    monkeypatch.setattr(posters, "poster_pdf", slow_poster)
    monkeypatch.setattr(api, "poster_pdf", slow_poster, raising=False)  # where the old code looked it up
    # Real HTTP to a real server (the test client would run the two requests one after the other).
    async with httpx.AsyncClient(base_url=live_server.url, timeout=30) as http:
        poster = asyncio.ensure_future(http.get("/api/v1/attractions/po-klong-garai/poster.pdf"))
        assert await asyncio.to_thread(started.wait, 10)
        health = await http.get("/healthz")
        events.append(f"healthz {health.status_code}")
        release.set()
        assert (await poster).status_code == 200
    assert events == ["healthz 200", "poster rendered"]


async def test_concurrent_requests_share_one_render_and_later_ones_are_cached(client, demo, monkeypatch) -> None:
    renders = _counting(monkeypatch, "poster_pdf")
    responses = await asyncio.gather(*[client.get("/api/v1/attractions/po-klong-garai/poster.pdf")
                                       for _ in range(3)])
    assert {response.status_code for response in responses} == {200}
    again = await client.get("/api/v1/attractions/po-klong-garai/poster.pdf")
    assert again.content == responses[0].content
    assert renders == ["po-klong-garai"]
    # A cache that already holds it answers 304 without a body.
    etag = again.headers["etag"]
    revalidated = await client.get("/api/v1/attractions/po-klong-garai/poster.pdf", headers={"if-none-match": etag})
    assert revalidated.status_code == 304 and renders == ["po-klong-garai"]


async def test_an_edited_name_gives_a_new_poster_at_once(client, demo, monkeypatch) -> None:
    renders = _counting(monkeypatch, "poster_svg")
    before = await client.get("/api/v1/attractions/po-klong-garai/poster.svg")
    assert "Tháp Mới Sơn" not in before.text
    await demo.execute("UPDATE tourism.attractions SET name = name || '{\"vi\": \"Tháp Mới Sơn\"}'::jsonb, "
                       "updated_at = now() WHERE slug = 'po-klong-garai'")
    after = await client.get("/api/v1/attractions/po-klong-garai/poster.svg")
    assert "Tháp Mới Sơn" in after.text and after.headers["etag"] != before.headers["etag"]
    # The old ETag no longer matches: a browser's copy is replaced, not revalidated.
    stale = await client.get("/api/v1/attractions/po-klong-garai/poster.svg",
                             headers={"if-none-match": before.headers["etag"]})
    assert stale.status_code == 200 and "Tháp Mới Sơn" in stale.text
    assert renders == ["po-klong-garai", "po-klong-garai"]
