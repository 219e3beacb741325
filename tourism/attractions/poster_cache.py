"""Posters rendered off the event loop, one at a time per process, and cached by content.

A PDF poster takes about a second of CPU (font shaping and subsetting): on the event loop three anonymous
clients stalled every other request of the process. Rendering runs in a worker thread behind a
one-slot semaphore; concurrent requests for the same poster wait for the one rendering; finished posters
are kept in a small LRU cache.

The cache key is a digest of everything the poster prints (the slug, the names in every locale, the QR
link, the format), i.e. its content version: an edited name gives a new key, so a stale poster is never
served, whatever process rendered the old one. The poster does not depend on the reader's locale (it
prints the names in several languages), so the locale is part of the key only through the names.
"""

import asyncio
import hashlib
import weakref
from collections import OrderedDict
from collections.abc import Callable
from typing import Literal

import msgspec

from tourism.attractions import posters
from tourism.attractions.models import Attraction

__all__ = ["PosterFormat", "poster_version", "render_poster", "clear_poster_cache", "MAX_CACHED_POSTERS"]

PosterFormat = Literal["svg", "pdf"]
MAX_CACHED_POSTERS = 128  # a PDF is 30-300 KB: at most a few tens of MB per process

_cache: "OrderedDict[str, str | bytes]" = OrderedDict()
# Per event loop: the rendering slot and the renders in progress (asyncio objects belong to one loop).
_slots: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = weakref.WeakKeyDictionary()
_in_flight: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Future[str | bytes]]]" = (
    weakref.WeakKeyDictionary()
)


def poster_version(attraction: Attraction, url: str, kind: PosterFormat) -> str:
    """The digest of what the poster shows: equal digests, equal posters."""
    printed = {"kind": kind, "slug": attraction.slug, "url": url, "names": dict(sorted(attraction.name.items()))}
    return hashlib.sha256(msgspec.json.encode(printed)).hexdigest()


def clear_poster_cache() -> None:
    """Forget every cached poster (tests, and a font change on the server)."""
    _cache.clear()


def _renderer(kind: PosterFormat) -> Callable[[Attraction, str], str | bytes]:
    # Looked up at call time, so the renderers stay replaceable (fonts, tests).
    return posters.poster_pdf if kind == "pdf" else posters.poster_svg


def _remember(key: str, body: str | bytes) -> None:
    _cache[key] = body
    _cache.move_to_end(key)
    while len(_cache) > MAX_CACHED_POSTERS:
        _cache.popitem(last=False)


async def _render(key: str, attraction: Attraction, url: str, kind: PosterFormat) -> str | bytes:
    loop = asyncio.get_running_loop()
    slot = _slots.setdefault(loop, asyncio.Semaphore(1))
    async with slot:
        if key in _cache:  # rendered by another request while this one waited for the slot
            return _cache[key]
        body = await asyncio.to_thread(_renderer(kind), attraction, url)
    _remember(key, body)
    return body


async def render_poster(attraction: Attraction, url: str, kind: PosterFormat) -> str | bytes:
    """The poster, from the cache or rendered in a worker thread; concurrent requests share one render."""
    key = poster_version(attraction, url, kind)
    cached = _cache.get(key)
    if cached is not None:
        _cache.move_to_end(key)
        return cached
    in_flight = _in_flight.setdefault(asyncio.get_running_loop(), {})
    pending = in_flight.get(key)
    if pending is None:
        pending = asyncio.ensure_future(_render(key, attraction, url, kind))
        in_flight[key] = pending
        pending.add_done_callback(lambda _: in_flight.pop(key, None))
    # A client that disconnects must not cancel the render the others wait for.
    return await asyncio.shield(pending)
