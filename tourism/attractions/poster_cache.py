"""Posters rendered off the event loop, one at a time per process, and cached by content.

A PDF poster takes about a second of CPU (font shaping and subsetting): on the event loop three anonymous
clients stalled every other request of the process. PDFs render in one child process (SVGs, which take
milliseconds, in a thread) behind a one-slot semaphore; concurrent requests for the same poster wait
for the one rendering; finished posters are kept in a small LRU cache.

The cache key is a digest of everything the poster prints (the slug, the names in every locale, the QR
link, the format), i.e. its content version: an edited name gives a new key, so a stale poster is never
served, whatever process rendered the old one. The poster does not depend on the reader's locale (it
prints the names in several languages), so the locale is part of the key only through the names.
"""

import asyncio
import hashlib
import multiprocessing
import weakref
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal

import msgspec

from tourism.attractions import posters
from tourism.attractions.models import Attraction

__all__ = ["PosterFormat", "poster_version", "render_poster", "clear_poster_cache", "stop_poster_process",
           "render_in_poster_process", "MAX_CACHED_POSTERS"]

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


_STOCK_PDF = posters.poster_pdf
_executor: ProcessPoolExecutor | None = None


def _poster_process() -> ProcessPoolExecutor:
    # fpdf2 is pure Python: in a thread it holds the GIL for the whole render and the event loop waits for
    # it at every switch (the abuse benchmark's /healthz p99 went to 400 ms with posters alone). One child
    # process, started on first use, renders PDFs without touching this process's GIL.
    global _executor
    if _executor is None:
        _executor = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _executor


def stop_poster_process() -> None:
    """Stop the poster child at shutdown without waiting for queued renders (nobody waits for them)."""
    global _executor
    if _executor is not None:
        _executor.shutdown(wait=False, cancel_futures=True)
        _executor = None


def _render_pdf_in_child(attraction: Attraction, url: str) -> bytes:
    return posters.poster_pdf(attraction, url)


async def _render_off_loop(kind: PosterFormat, attraction: Attraction, url: str) -> str | bytes:
    global _executor
    renderer = _renderer(kind)
    if renderer is not _STOCK_PDF:  # the SVG (milliseconds), or a renderer replaced in this process
        return await asyncio.to_thread(renderer, attraction, url)
    try:
        return await asyncio.get_running_loop().run_in_executor(_poster_process(), _render_pdf_in_child,
                                                                 attraction, url)
    except BrokenProcessPool:
        _executor = None  # the child died (killed, out of memory): the next poster starts a new one
        raise


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
        body = await _render_off_loop(kind, attraction, url)
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


async def render_in_poster_process(render: Callable[..., bytes], *args: Any) -> bytes:
    """Another printable PDF (the marketplace's batch labels) drawn in the posters' child process, taking the
    same one rendering slot: `render` and its arguments must pickle (a module-level function, plain data)."""
    global _executor
    slot = _slots.setdefault(asyncio.get_running_loop(), asyncio.Semaphore(1))
    async with slot:
        try:
            return await asyncio.get_running_loop().run_in_executor(_poster_process(), render, *args)
        except BrokenProcessPool:
            _executor = None
            raise
