"""Sitemaps for search engines: an index, one sitemap per listing kind, every locale as an hreflang alternate."""

from typing import Any
from xml.sax.saxutils import escape

import asyncpg
from litestar import MediaType, Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath

import i18n
from marketplace.composition import document_sources
from marketplace.platform.errors import NotFound
from marketplace.platform.runtime import runtime_of

__all__ = ["router"]

MAX_URLS = 50_000  # the sitemap protocol's limit per file
STATIC_PATHS = ("/", "/attractions", "/events", "/products", "/search")
XML = "application/xml; charset=utf-8"


def _base(request: Request[Any, Any, Any]) -> str:
    runtime = runtime_of(request.app.state)
    return runtime.settings.base_url + runtime.path_prefix


def _url_entry(base: str, path: str) -> str:
    alternates = "".join(
        f'<xhtml:link rel="alternate" hreflang="{code}" href="{escape(f"{base}/{code}{path}")}"/>'
        for code in i18n.SUPPORTED_LOCALES
    )
    return f"<url><loc>{escape(f'{base}/{i18n.DEFAULT_LOCALE}{path}')}</loc>{alternates}</url>"


def _urlset(entries: list[str]) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:xhtml="http://www.w3.org/1999/xhtml">' + "".join(entries) + "</urlset>")


@get("/sitemap.xml", include_in_schema=False, media_type=MediaType.XML)
async def sitemap_index(request: Request[Any, Any, Any]) -> Response[str]:
    """The index: the fixed pages and one sitemap per listing kind."""
    base = _base(request)
    kinds = [kind for source in document_sources() for kind in source.kinds]
    items = "".join(f"<sitemap><loc>{escape(f'{base}/sitemaps/{kind}')}</loc></sitemap>"
                    for kind in ["pages", *kinds])
    body = ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>')
    return Response(body, media_type=XML, headers={"cache-control": "public, max-age=3600"})


@get("/sitemaps/{kind:str}", include_in_schema=False, media_type=MediaType.XML)
async def sitemap_for_kind(request: Request[Any, Any, Any], kind: FromPath[str],
                           pool: NamedDependency[asyncpg.Pool]) -> Response[str]:
    """Every published listing of one kind, in every locale."""
    base = _base(request)
    if kind == "pages":
        return Response(_urlset([_url_entry(base, path) for path in STATIC_PATHS]), media_type=XML)
    source = next((s for s in document_sources() if kind in s.kinds), None)
    if source is None:
        raise NotFound(f"No sitemap for {kind!r}.")
    entries: list[str] = []
    async with pool.acquire() as connection:
        async for document in source.iter_all(connection):
            if document.kind == kind and document.published and document.url_path:
                entries.append(_url_entry(base, document.url_path))
                if len(entries) >= MAX_URLS:
                    break
    return Response(_urlset(entries), media_type=XML, headers={"cache-control": "public, max-age=3600"})


@get("/robots.txt", include_in_schema=False, media_type=MediaType.TEXT)
async def robots(request: Request[Any, Any, Any]) -> Response[str]:
    """Crawlers may read public pages; account, cart and dashboards are not for them."""
    private = ("account", "cart", "checkout", "trip", "trips/", "editor", "merchant", "agent", "admin", "orders")
    disallow = "".join(f"Disallow: /{code}/{path}\n" for code in i18n.SUPPORTED_LOCALES for path in private)
    return Response(f"User-agent: *\n{disallow}Sitemap: {_base(request)}/sitemap.xml\n", media_type=MediaType.TEXT)


# Mounted at the service root.
router = Router(path="/", route_handlers=[sitemap_index, sitemap_for_kind, robots])
