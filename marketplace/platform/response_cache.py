"""Anonymous responses of public reads, kept in each server's memory and validated on every request.

A route opts in with `opt={"public_cache": True}` (a plain key, so packages below marketplace can declare
it). A GET from a visitor with no session, no bearer token and no cookie besides the CSRF and language
ones is then answered from the kept response when the content version (`content_version_shards`, bumped
in the same transaction by any write to a watched table) and the minute (pages show "open now" and
today's events) are the ones it was rendered at. One short query per request reads the version, so an
edit, an order or a booking on any server shows on the very next request to every server. With a read
replica (DATABASE_REPLICA_URL) the version is read there, as the anonymous reads are: a visitor then sees a
change after the replica's lag, never later, and never an older page kept under a newer version.

Requests that miss while the same answer is being rendered (same key, version and minute) wait for that render
instead of repeating it: at the turn of a minute, or after an edit, a popular page is rendered once per server,
not once per visitor arriving in the meantime.

What is kept is visitor-independent: the body with the page's masked CSRF token cut out, already
compressed when it holds no token, and the headers without Set-Cookie. The CSRF middleware outside this
one still sets its cookie; the visitor's own token is masked afresh into the body on every answer, and
the page's ETag (which counts the token) is computed as `PageRenderer` does, so 304s work as before.
"""

import asyncio
import gzip
import zlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import brotli
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

import i18n
from marketplace.platform.database import ACQUIRE_TIMEOUT
from marketplace.platform.middleware import mask_csrf_token
from marketplace.platform.runtime import runtime_of
from marketplace.platform.templating import MASKED_CSRF_SCOPE_KEY, body_digest, page_tag
from search import service as search_service
from tourism import clock

__all__ = ["PUBLIC_CACHE_OPT", "ResponseCache", "PublicResponseCacheMiddleware", "read_content_version"]

PUBLIC_CACHE_OPT = "public_cache"
CONTENT_VERSION_SQL = "SELECT sum(version)::bigint FROM content_version_shards"
# Litestar's CSRF cookie and the remembered language; any other cookie (session, cart, trip) means the
# answer may depend on the visitor, so the request goes to the handler.
ALLOWED_COOKIES = frozenset({"csrftoken", i18n.LOCALE_COOKIE})
MAX_ENTRIES = 2048
# Bodies kept per process, all entries together: distinct search URLs must not grow a worker without end.
MAX_KEPT_BYTES = 48 * 1024 * 1024
MAX_BODY_BYTES = 512 * 1024
# As the app's CompressionConfig: brotli quality 5, gzip fallback, nothing under 500 bytes.
MINIMUM_COMPRESSED_SIZE = 500
BROTLI_QUALITY = 5
STRIPPED_HEADERS = frozenset({b"content-length", b"content-encoding", b"etag", b"set-cookie",
                              b"transfer-encoding"})


@dataclass(slots=True)
class CachedResponse:
    """A rendered anonymous response, with the content version and minute it was rendered at."""

    version: int
    minute: datetime
    status: int
    headers: list[tuple[bytes, bytes]]
    segments: list[bytes]
    """The body split where the page's masked CSRF token stood (one segment when there was none)."""
    encoded: dict[str, bytes]
    """The whole body per content coding, for bodies without a token."""
    is_page: bool
    digest: bytes
    """`body_digest` of the body without its token, for the page's ETag."""
    search_log: tuple[str, str, int] | None = None
    """The search the handler logged: logged again each time this answer is served."""

    def is_current(self, version: int, minute: datetime) -> bool:
        """Rendered at this content version and in this minute."""
        return self.version == version and self.minute == minute

    @property
    def size(self) -> int:
        """Bytes of body kept (plain segments and compressed copies)."""
        return sum(map(len, self.segments)) + sum(map(len, self.encoded.values()))


class ResponseCache:
    """The kept responses of one process, least recently used dropped first."""

    def __init__(self, max_entries: int = MAX_ENTRIES, max_bytes: int = MAX_KEPT_BYTES) -> None:
        self.entries: OrderedDict[tuple[Any, ...], CachedResponse] = OrderedDict()
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.kept_bytes = 0
        self.versions = ContentVersionReader()

    def get(self, key: tuple[Any, ...]) -> CachedResponse | None:
        entry = self.entries.get(key)
        if entry is not None:
            self.entries.move_to_end(key)
        return entry

    def put(self, key: tuple[Any, ...], entry: CachedResponse) -> None:
        replaced = self.entries.pop(key, None)
        if replaced is not None:
            self.kept_bytes -= replaced.size
        self.entries[key] = entry
        self.kept_bytes += entry.size
        while self.entries and (len(self.entries) > self.max_entries or self.kept_bytes > self.max_bytes):
            _, dropped = self.entries.popitem(last=False)
            self.kept_bytes -= dropped.size

    def clear(self) -> None:
        self.entries.clear()
        self.kept_bytes = 0


async def read_content_version(pool: Any) -> int:
    """The current content version (the sum of the shards' counters)."""
    async with pool.acquire(timeout=ACQUIRE_TIMEOUT) as connection:
        return int(await connection.fetchval(CONTENT_VERSION_SQL))


class ContentVersionReader:
    """Reads the content version for many concurrent requests with one query, never an older one.

    A request joins the next read that *starts* after it arrived: the one about to start, or, when a read
    is already under way (its snapshot may predate a commit this request must see), the one that starts
    when it ends. So every answer reflects every commit made before its request came in, and 64
    concurrent requests cost a couple of queries instead of 64.
    """

    def __init__(self) -> None:
        self._next: asyncio.Future[int] | None = None
        self._reading = False
        self._loop: asyncio.AbstractEventLoop | None = None

    async def read(self, fetch: Callable[[], Awaitable[int]]) -> int:
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (tests, a portal restarting): nothing carries over
            self._loop, self._next, self._reading = loop, None, False
        if self._next is None:
            self._next = loop.create_future()
            if not self._reading:
                self._reading = True
                loop.create_task(self._read_while_asked(fetch))
        return await asyncio.shield(self._next)

    async def _read_while_asked(self, fetch: Callable[[], Awaitable[int]]) -> None:
        try:
            while self._next is not None:
                waiting, self._next = self._next, None
                try:
                    waiting.set_result(await fetch())
                except Exception as error:  # noqa: BLE001 - every waiter gets the failure and falls back
                    waiting.set_exception(error)
        finally:
            self._reading = False


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return dict(scope["headers"])


def _cookie_names(cookie_header: bytes) -> set[str]:
    return {part.split("=", 1)[0].strip() for part in cookie_header.decode("latin-1").split(";") if part.strip()}


def _cookie(cookie_header: bytes, name: str) -> str:
    for part in cookie_header.decode("latin-1").split(";"):
        key, _, value = part.partition("=")
        if key.strip() == name:
            return value.strip()
    return ""


def _coding(accept_encoding: bytes) -> str:
    """The coding Litestar's compression would pick: brotli, then gzip, else none."""
    if b"br" in accept_encoding:
        return "br"
    if b"gzip" in accept_encoding:
        return "gzip"
    return "identity"


def _encode(body: bytes, coding: str, *, fast: bool = False) -> bytes:
    if coding == "br":
        return brotli.compress(body, mode=brotli.MODE_TEXT, quality=1 if fast else BROTLI_QUALITY)
    if coding == "gzip":
        return gzip.compress(body, compresslevel=1 if fast else 9, mtime=0)
    return body


def _decode(body: bytes, coding: str) -> bytes:
    if coding == "br":
        return brotli.decompress(body)
    if coding == "gzip":
        return zlib.decompress(body, wbits=31)
    return body


@dataclass(slots=True)
class _Rendering:
    """An answer being rendered for the cache: requests for the same key, version and minute wait for it."""

    version: int
    minute: datetime
    done: asyncio.Future[None]

    def matches(self, version: int, minute: datetime) -> bool:
        # A future of another event loop (an app reused by a new loop) cannot be awaited here.
        return (self.version, self.minute) == (version, minute) and self.done.get_loop() is asyncio.get_running_loop()


class PublicResponseCacheMiddleware:
    """Answers anonymous GETs of routes marked `public_cache` from the kept response while it is current."""

    def __init__(self, app: ASGIApp, cache: ResponseCache) -> None:
        self.app = app
        self.cache = cache
        self.rendering: dict[tuple[Any, ...], _Rendering] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self._key(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        runtime = runtime_of(scope["app"].state)
        try:
            # From the read replica when there is one: anonymous reads (pages, the search engine) come from
            # it, and a version read where the data lags could keep an older page under a newer version.
            pool = runtime.replica_pool or runtime.require_pool()
            version = await self.cache.versions.read(lambda: read_content_version(pool))
        except Exception:  # noqa: BLE001 - without a version nothing is served from memory; the handler decides
            await self.app(scope, receive, send)
            return
        minute = clock.local_now().replace(second=0, microsecond=0)
        entry = self.cache.get(key)
        if entry is not None and entry.is_current(version, minute):
            await self._answer(entry, scope, send)
            return
        rendering = self.rendering.get(key)
        if rendering is not None and rendering.matches(version, minute):
            # Another request renders this very answer: wait for it rather than render it again. When the
            # minute turns or a change lands, every visitor of a popular page would otherwise render it at once.
            await asyncio.shield(rendering.done)
            entry = self.cache.get(key)
            if entry is not None and entry.is_current(version, minute):
                await self._answer(entry, scope, send)
                return
            await self.app(scope, receive, send)  # not kept (an error, a cookie of its own): render it here
            return
        rendering = self.rendering[key] = _Rendering(version, minute, asyncio.get_running_loop().create_future())
        try:
            await self._render_and_keep(key, version, minute, scope, receive, send)
        finally:
            rendering.done.set_result(None)
            if self.rendering.get(key) is rendering:
                del self.rendering[key]

    @staticmethod
    def _key(scope: Scope) -> tuple[Any, ...] | None:
        if scope["type"] != "http" or scope["method"] != "GET":
            return None
        handler = scope.get("route_handler")
        if handler is None or not handler.opt.get(PUBLIC_CACHE_OPT):
            return None
        headers = _headers(scope)
        if b"authorization" in headers:
            return None
        cookies = headers.get(b"cookie", b"")
        if cookies and not _cookie_names(cookies) <= ALLOWED_COOKIES:
            return None
        # Everything the handler may read besides the content: path, query, host (absolute links), the
        # language inputs (cookie, Accept-Language) and the coding the answer is sent in.
        return (scope["path"], scope.get("query_string", b""), headers.get(b"host", b""), scope.get("scheme"),
                _cookie(cookies, i18n.LOCALE_COOKIE) if cookies else "", headers.get(b"accept-language", b""))

    async def _answer(self, entry: CachedResponse, scope: Scope, send: Send) -> None:
        headers = _headers(scope)
        coding = _coding(headers.get(b"accept-encoding", b""))
        response_headers = list(entry.headers)
        raw_token = ScopeState.from_scope(scope).csrf_token
        token = "" if raw_token in (Ellipsis, None) else str(raw_token)
        if entry.is_page:
            etag = '"' + page_tag(entry.digest, token) + '"'
            response_headers.append((b"etag", etag.encode()))
            if etag.encode() in headers.get(b"if-none-match", b""):
                await send({"type": "http.response.start", "status": 304, "headers": response_headers})
                await send({"type": "http.response.body", "body": b""})
                return
        if entry.search_log is not None:
            search_service.record_search(runtime_of(scope["app"].state).require_pool(), *entry.search_log)
        if len(entry.segments) == 1:
            body = entry.encoded.get(coding, entry.segments[0])
            coding = coding if coding in entry.encoded else "identity"
        else:
            plain = mask_csrf_token(token).encode().join(entry.segments)
            if len(plain) < MINIMUM_COMPRESSED_SIZE:
                coding = "identity"
            # Compressed for this visitor at the fastest level: 0.05 ms and 4.5 KB for the 20 KB attraction
            # page with brotli 1, against 0.35 ms and 3.7 KB at the app's level 5 (measured).
            body = _encode(plain, coding, fast=True)
        if coding != "identity":
            response_headers.append((b"content-encoding", coding.encode()))
        if len(entry.segments) > 1 or entry.encoded:
            response_headers.append((b"vary", b"Accept-Encoding"))
        response_headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": entry.status, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})

    async def _render_and_keep(self, key: tuple[Any, ...], version: int, minute: datetime, scope: Scope,
                               receive: Receive, send: Send) -> None:
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                # A copy: the middleware outside adds its own headers (CSRF cookie, request id) in place.
                start = {"status": message["status"], "headers": list(message.get("headers", []))}
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        entry = self._entry(start, b"".join(chunks), version, minute, scope)
        if entry is not None:
            self.cache.put(key, entry)

    @staticmethod
    def _entry(start: Message | None, body: bytes, version: int, minute: datetime,
               scope: Scope) -> CachedResponse | None:
        if start is None or start["status"] != 200 or len(body) > MAX_BODY_BYTES:
            return None
        raw_headers: list[tuple[bytes, bytes]] = list(start.get("headers", []))
        coding = "identity"
        for name, value in raw_headers:
            lower = name.lower()
            if lower == b"set-cookie" and not value.startswith(i18n.LOCALE_COOKIE.encode() + b"="):
                return None  # a cookie of this visitor's own
            if lower == b"cache-control" and b"no-store" in value:
                return None
            if lower == b"content-encoding":
                coding = value.decode("latin-1").strip()
        if coding not in ("br", "gzip", "identity"):
            return None
        plain = _decode(body, coding)
        masked = scope.get(MASKED_CSRF_SCOPE_KEY) or ""  # type: ignore[misc]
        segments = plain.split(masked.encode()) if masked else [plain]
        is_page = MASKED_CSRF_SCOPE_KEY in scope
        encoded: dict[str, bytes] = {}
        if len(segments) == 1 and len(plain) >= MINIMUM_COMPRESSED_SIZE:
            encoded = {"br": _encode(plain, "br"), "gzip": _encode(plain, "gzip")}
        # The handler's own Vary (suggest's Accept-Language) stays; the compression's is added per answer.
        headers = [(name, value) for name, value in raw_headers if name.lower() not in STRIPPED_HEADERS
                   and (name.lower(), value.lower()) != (b"vary", b"accept-encoding")]
        headers += [(name, value) for name, value in raw_headers if name.lower() == b"set-cookie"]
        return CachedResponse(version=version, minute=minute, status=200, headers=headers, segments=segments,
                              encoded=encoded, is_page=is_page, digest=body_digest(b"".join(segments)),
                              search_log=scope.get(search_service.LOGGED_SEARCH_SCOPE_KEY))  # type: ignore[misc]
