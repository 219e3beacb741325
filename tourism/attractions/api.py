"""The attractions JSON API under /api/v1: reading, open data, posters, and editors' writes."""

from datetime import datetime
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, Router, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from tourism import clock
from tourism.attractions import service
from tourism.attractions.models import Attraction, AttractionCreate, AttractionPage, AttractionUpdate, Category, Photo
from tourism.attractions.opendata import attractions_csv, attractions_geojson
from tourism.attractions.poster_cache import PosterFormat, poster_version, render_poster
from tourism.attractions.short_link import short_link_url
from tourism.attractions.uploads import read_photo_upload
from tourism.errors import InvalidInput
from tourism.hours import OpenStatus, opening_status
from tourism.nearby import DEFAULT_RADIUS_M, NEARBY_KINDS, Nearby, RadiusM, find_nearby
from tourism.webutil import base_url, is_editor

__all__ = ["router", "AttractionApi", "OpenDataApi", "AttractionEditorApi", "EditorListsApi"]

POSTER_MEDIA_TYPES: dict[str, str] = {"svg": "image/svg+xml", "pdf": "application/pdf"}
OPEN_DATA_CACHE = {"cache-control": "public, max-age=300", "access-control-allow-origin": "*"}


def _kinds(value: str | None) -> tuple[str, ...]:
    if not value:
        return NEARBY_KINDS
    kinds = tuple(kind for kind in value.split(",") if kind)
    unknown = [kind for kind in kinds if kind not in NEARBY_KINDS]
    if unknown:
        raise InvalidInput(
            f"unknown kinds: {', '.join(unknown)}", code="unknown_kind", details={"allowed": list(NEARBY_KINDS)}
        )
    return kinds


async def _poster(request: Request[Any, Any, Any], attraction: Attraction, url: str,
                  kind: PosterFormat) -> Response[Any]:
    # The ETag is the poster's content version: caches revalidate (a 304 costs no rendering), so an edited
    # attraction never shows an old poster, and an unchanged one is not sent again.
    etag = f'"{poster_version(attraction, url, kind)}"'
    headers = {"cache-control": "public, no-cache", "etag": etag,
               "content-disposition": f'inline; filename="poster-{attraction.slug}.{kind}"'}
    if etag in request.headers.get("if-none-match", ""):
        return Response(b"", status_code=304, headers=headers)
    body = await render_poster(attraction, url, kind)
    return Response(body, media_type=POSTER_MEDIA_TYPES[kind], headers=headers)


class AttractionApi(Controller):
    """Public reads of attractions."""

    path = "/attractions"
    tags = ["tourism"]

    @get("/", name="tourism.api.attractions.list", opt={"read_replica": True, "public_cache": True})
    async def list_attractions(
        self,
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Any],
        category: Annotated[Category | None, QueryParameter()] = None,
        commune: Annotated[int | None, QueryParameter(ge=1, le=99_999)] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=80)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=100)] = 50,
        drafts: Annotated[bool, QueryParameter()] = False,
    ) -> AttractionPage:
        """Attractions in slug order; `cursor` is the previous page's next_cursor. Editors may ask for drafts."""
        return await service.list_attractions(
            db,
            category=category,
            commune_code=commune,
            cursor=cursor,
            limit=limit,
            include_drafts=drafts and is_editor(principal),
        )

    @get("/{slug:str}", name="tourism.api.attractions.detail", opt={"read_replica": True})
    async def get_attraction(
        self, slug: FromPath[str], db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Any]
    ) -> Attraction:
        """One attraction with its photos (drafts only for editors)."""
        return await service.get_attraction(db, slug, include_drafts=is_editor(principal))

    @get("/{slug:str}/status", name="tourism.api.attractions.status")
    async def status(
        self,
        slug: FromPath[str],
        db: NamedDependency[asyncpg.Connection],
        at: Annotated[datetime | None, QueryParameter()] = None,
    ) -> OpenStatus:
        """Whether it is open at `at` (default now); times are Asia/Ho_Chi_Minh."""
        attraction = await service.get_attraction(db, slug)
        return opening_status(attraction.opening_hours, at or clock.local_now())

    @get("/{slug:str}/nearby", name="tourism.api.attractions.nearby", opt={"refusals": (422,)})
    async def nearby(
        self,
        slug: FromPath[str],
        db: NamedDependency[asyncpg.Connection],
        search_engine: NamedDependency[Any],
        locale: NamedDependency[str],
        radius_m: Annotated[RadiusM, QueryParameter()] = DEFAULT_RADIUS_M,
        kinds: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Nearby:
        """Producers, products, experiences and attractions near it, nearest first."""
        attraction = await service.get_attraction(db, slug)
        return await find_nearby(
            search_engine,
            attraction.lat,
            attraction.lng,
            radius_m,
            locale=locale,
            exclude_ids=(attraction.document_id,),
            kinds=_kinds(kinds),
        )

    @get("/{slug:str}/poster.svg", name="tourism.api.attractions.poster_svg", media_type="image/svg+xml")
    async def poster_svg(
        self, request: Request[Any, Any, Any], slug: FromPath[str], db: NamedDependency[asyncpg.Connection],
        settings: NamedDependency[Any],
    ) -> Response[Any]:
        """A printable A4 poster with the name in several languages and a QR code to the page."""
        attraction = await service.get_attraction(db, slug)
        return await _poster(request, attraction, short_link_url(settings, slug), "svg")

    @get("/{slug:str}/poster.pdf", name="tourism.api.attractions.poster_pdf", media_type="application/pdf")
    async def poster_pdf(
        self, request: Request[Any, Any, Any], slug: FromPath[str], db: NamedDependency[asyncpg.Connection],
        settings: NamedDependency[Any],
    ) -> Response[Any]:
        """The same poster as an A4 PDF (about a second of CPU when not cached: rendered off the loop)."""
        attraction = await service.get_attraction(db, slug)
        return await _poster(request, attraction, short_link_url(settings, slug), "pdf")


class OpenDataApi(Controller):
    """Open data downloads and the near-a-point query."""

    path = "/"
    tags = ["tourism"]

    @get("/attractions.geojson", name="tourism.api.attractions.geojson", media_type="application/geo+json")
    async def geojson(
        self, db: NamedDependency[asyncpg.Connection], settings: NamedDependency[Any]
    ) -> Response[dict[str, Any]]:
        """Every published attraction as a GeoJSON FeatureCollection ([longitude, latitude])."""
        attractions = await service.iter_published_attractions(db)
        return Response(
            attractions_geojson(attractions, base_url(settings)),
            media_type="application/geo+json",
            headers=OPEN_DATA_CACHE,
        )

    @get("/attractions.csv", name="tourism.api.attractions.csv", media_type="text/csv")
    async def csv(self, db: NamedDependency[asyncpg.Connection]) -> Response[str]:
        """Every published attraction as CSV (UTF-8)."""
        attractions = await service.iter_published_attractions(db)
        return Response(
            attractions_csv(attractions),
            media_type="text/csv",
            headers={**OPEN_DATA_CACHE, "content-disposition": 'attachment; filename="attractions.csv"'},
        )

    @get("/nearby", name="tourism.api.nearby", opt={"refusals": (422,)})
    async def near_point(
        self,
        search_engine: NamedDependency[Any],
        locale: NamedDependency[str],
        lat: Annotated[float, QueryParameter(ge=-90, le=90)],
        lng: Annotated[float, QueryParameter(ge=-180, le=180)],
        radius_m: Annotated[RadiusM, QueryParameter()] = DEFAULT_RADIUS_M,
        kinds: Annotated[str | None, QueryParameter(max_length=100)] = None,
    ) -> Nearby:
        """What is near a point ("near me"), nearest first by kind."""
        return await find_nearby(search_engine, lat, lng, radius_m, locale=locale, kinds=_kinds(kinds))


class AttractionEditorApi(Controller):
    """Editors create, change, publish and illustrate attractions."""

    path = "/attractions"
    tags = ["tourism"]
    opt = {"roles": ("editor",)}

    @post("/", name="tourism.api.attractions.create")
    async def create(self, data: JSONBody[AttractionCreate], db: NamedDependency[asyncpg.Connection]) -> Attraction:
        """Create an attraction (a draft unless `status` is "published")."""
        return await service.create_attraction(db, data)

    @patch("/{slug:str}", name="tourism.api.attractions.update")
    async def update(
        self, slug: FromPath[str], data: JSONBody[AttractionUpdate], db: NamedDependency[asyncpg.Connection]
    ) -> Attraction:
        """Change some fields; `status` publishes or unpublishes."""
        return await service.update_attraction(db, slug, data)

    @post("/{slug:str}/photos", name="tourism.api.attractions.add_photo")
    async def add_photo(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        db: NamedDependency[asyncpg.Connection],
        images: NamedDependency[Any],
    ) -> Photo:
        """Upload a photo (multipart field `file`, JPEG, PNG or WebP, at most 8 MB) with its alt text in at least
        one language (`alt_<locale>` fields) and an optional caption (`caption_<locale>`)."""
        upload = await read_photo_upload(request)
        return await service.add_photo(db, slug, images, upload.data, content_type=upload.content_type,
                                       caption=upload.caption, alt=upload.alt)

    @delete("/{slug:str}/photos/{photo_id:int}", name="tourism.api.attractions.remove_photo")
    async def remove_photo(
        self,
        slug: FromPath[str],
        photo_id: FromPath[int],
        db: NamedDependency[asyncpg.Connection],
        images: NamedDependency[Any],
    ) -> None:
        """Remove a photo from the attraction, and its files."""
        await service.remove_photo(db, slug, photo_id, images)


class EditorListsApi(Controller):
    """Editors' work lists."""

    path = "/editor/attractions"
    tags = ["tourism"]
    opt = {"roles": ("editor",)}

    @get("/stale", name="tourism.api.attractions.stale")
    async def stale(self, db: NamedDependency[asyncpg.Connection]) -> list[Attraction]:
        """Attractions never verified or not verified for a year, oldest first."""
        return await service.list_stale_attractions(db, clock.local_today())


router = Router(path="/", route_handlers=[AttractionApi, OpenDataApi, AttractionEditorApi, EditorListsApi])
