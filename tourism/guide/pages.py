"""Attraction pages for visitors: the list, one attraction with its hours and surroundings, and "near me"."""

from datetime import datetime, timedelta
from typing import Annotated, Any

import asyncpg
from babel.dates import format_date as babel_format_date
from litestar import Controller, Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from i18n import TIME_ZONE
from tourism import clock
from tourism.attractions import service
from tourism.attractions.models import CATEGORIES, Category
from tourism.attractions.opendata import attraction_jsonld
from tourism.events import service as events
from tourism.geo import parse_point
from tourism.hours import WEEKDAYS, OpenStatus, opening_status
from tourism.nearby import DEFAULT_RADIUS_M, RADIUS_CHOICES_M, RadiusM, find_nearby
from tourism.trips import service as trips
from tourism.webutil import NO_STORE, TRIP_COOKIE, PageRenderer, base_url, json_ld, weekday_names

__all__ = ["router", "AttractionPages", "NearMePages", "status_view"]

# Pages carry the visitor's CSRF token and sign-in state, so only their own browser may keep them, briefly.
# Revalidated on every visit (the ETag makes it a 304): nearby prices and opening hours are never a minute old.
CACHE_HEADERS = {"cache-control": "private, no-cache"}
DEGRADED_HEADERS = {"cache-control": "private, no-store"}


def status_view(status: OpenStatus, now: datetime, locale: str) -> dict[str, Any]:
    """What a template needs to say "Open now · closes at 17:00" or "Opens Monday at 07:00"."""
    view: dict[str, Any] = {"status": status, "opens_when": None, "opens_day_name": ""}
    if status.opens_at is not None:
        today = now.astimezone(TIME_ZONE).date()
        opens_on = status.opens_at.date()
        if opens_on == today:
            view["opens_when"] = "today"
        elif opens_on == today + timedelta(days=1):
            view["opens_when"] = "tomorrow"
        else:
            view["opens_when"] = "later"
            view["opens_day_name"] = babel_format_date(opens_on, "EEEE d MMM", locale=locale)
    return view


async def _saved_ids(request: Request[Any, Any, Any], db: asyncpg.Connection) -> set[str]:
    return await trips.saved_document_ids(db, request.cookies.get(TRIP_COOKIE))


class AttractionPages(Controller):
    """Attraction pages under /{locale}/attractions."""

    path = "/attractions"

    @get("/", name="tourism.attractions.list", opt={"read_replica": True, "public_cache": True})
    async def list_page(
        self,
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        category: Annotated[Category | None, QueryParameter()] = None,
        commune: Annotated[int | None, QueryParameter(ge=1, le=99_999)] = None,
        cursor: Annotated[str | None, QueryParameter(max_length=80)] = None,
    ) -> Response:
        """Published attractions, filtered by category and commune."""
        result = await service.list_attractions(db, category=category, commune_code=commune, cursor=cursor, limit=24)
        now = clock.local_now()
        statuses = {
            item.slug: status_view(opening_status(item.opening_hours, now), now, page.locale) for item in result.items
        }
        return page.render(
            "tourism/attractions.html",
            {
                "result": result,
                "statuses": statuses,
                "category": category,
                "commune": commune,
                "categories": CATEGORIES,
                "communes": await service.list_attraction_communes(db),
                "cursor": cursor,
            },
            headers=CACHE_HEADERS,
        )

    @get("/{slug:str}", name="tourism.attractions.detail", opt={"read_replica": True, "public_cache": True})
    async def detail_page(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        search_engine: NamedDependency[Any],
        settings: NamedDependency[Any],
        radius: Annotated[RadiusM, QueryParameter()] = DEFAULT_RADIUS_M,
    ) -> Response:
        """One attraction: open now or not, fees, photos, events there and what is near it."""
        attraction = await service.get_attraction(db, slug)
        now = clock.local_now()
        nearby = await find_nearby(
            search_engine,
            attraction.lat,
            attraction.lng,
            radius,
            locale=page.locale,
            exclude_ids=(attraction.document_id,),
        )
        site = base_url(settings, page)
        return page.render(
            "tourism/attraction.html",
            {
                "attraction": attraction,
                "today": now.date(),
                "open": status_view(opening_status(attraction.opening_hours, now), now, page.locale),
                "weekday_names": weekday_names("wide", page.locale),
                "weekday_keys": WEEKDAYS,
                "nearby": nearby,
                "radius": radius,
                "radius_choices": RADIUS_CHOICES_M,
                "occurrences": await events.upcoming_at_attraction(db, attraction.slug, now.date()),
                "saved": await _saved_ids(request, db),
                "json_ld": json_ld(attraction_jsonld(attraction, page.locale, site)),
            },
            # Without its nearby lists (search down) the page is for this request only, never kept.
            headers=CACHE_HEADERS if nearby.available else DEGRADED_HEADERS,
        )


class NearMePages(Controller):
    """ "Near me": a visitor gives a point (typed, or filled in by a small script) and sees what is around."""

    path = "/nearby"

    @get("/", name="tourism.nearby")
    async def near_me(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        search_engine: NamedDependency[Any],
        lat: Annotated[str | None, QueryParameter(max_length=32)] = None,
        lng: Annotated[str | None, QueryParameter(max_length=32)] = None,
        radius: Annotated[RadiusM, QueryParameter()] = DEFAULT_RADIUS_M,
    ) -> Response:
        """The near-me form and, once a point is given, what is near it."""
        point = parse_point(lat, lng)
        invalid = bool(lat or lng) and point is None
        nearby = await find_nearby(search_engine, *point, radius, locale=page.locale) if point else None
        return page.render(
            "tourism/nearby.html",
            {
                "nearby": nearby,
                "lat": lat or "",
                "lng": lng or "",
                "radius": radius,
                "radius_choices": RADIUS_CHOICES_M,
                "invalid": invalid,
                "saved": await _saved_ids(request, db),
            },
            status_code=400 if invalid else 200,
            headers=NO_STORE,
        )


router = Router(path="/", route_handlers=[AttractionPages, NearMePages])
