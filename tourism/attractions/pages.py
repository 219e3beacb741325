"""Attraction pages for visitors: the list, one attraction with its hours and surroundings, and "near me"."""

import json
from datetime import date, datetime, timedelta
from typing import Annotated, Any

import asyncpg
from babel.dates import format_date as babel_format_date
from babel.dates import get_day_names
from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from markupsafe import Markup

from i18n import TIME_ZONE
from tourism.attractions import service
from tourism.attractions.models import CATEGORIES, Attraction, Category
from tourism.events import service as events
from tourism.hours import OpenStatus, opening_status
from tourism.nearby import DEFAULT_RADIUS_M, RADIUS_CHOICES_M, RadiusM, find_nearby
from tourism.opendata import attraction_jsonld
from tourism.trips import service as trips
from tourism.webutil import TRIP_COOKIE, PageRenderer, base_url, parse_float

__all__ = ["AttractionPages", "NearMePages", "status_view", "json_ld", "weekday_names"]

# Pages carry the visitor's CSRF token and sign-in state, so only their own browser may keep them, briefly.
CACHE_HEADERS = {"cache-control": "private, max-age=60"}


def json_ld(data: dict[str, Any]) -> Markup:
    """JSON-LD safe inside a <script> element (no '</' can end it early)."""
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))


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


def weekday_names(width: str, locale: str) -> list[str]:
    """Monday-first weekday names (Babel keys them 0 = Monday; its iteration order is CLDR's, Sunday first)."""
    names = get_day_names(width, locale=locale)
    return [names[index] for index in range(7)]


async def _saved_ids(request: Request[Any, Any, Any], db: asyncpg.Connection) -> set[str]:
    trip = await trips.trip_for_edit_token(db, request.cookies.get(TRIP_COOKIE))
    return {stop.document_id for stop in trip.stops} if trip else set()


def _upcoming(all_events: list[Any], attraction: Attraction, today: date) -> list[Any]:
    at_place = [event for event in all_events if event.attraction_slug == attraction.slug]
    return events.occurrences(at_place, today, today + timedelta(days=366))


class AttractionPages(Controller):
    """Attraction pages under /{locale}/attractions."""

    path = "/attractions"

    @get("/", name="tourism.attractions.list")
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
        now = datetime.now(TIME_ZONE)
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

    @get("/{slug:str}", name="tourism.attractions.detail")
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
        now = datetime.now(TIME_ZONE)
        nearby = await find_nearby(
            search_engine,
            attraction.lat,
            attraction.lng,
            radius,
            locale=page.locale,
            exclude_ids=(attraction.document_id,),
        )
        all_events = await events.list_events(db)
        site = base_url(settings, page)
        return page.render(
            "tourism/attraction.html",
            {
                "attraction": attraction,
                "today": now.date(),
                "open": status_view(opening_status(attraction.opening_hours, now), now, page.locale),
                "weekday_names": weekday_names("wide", page.locale),
                "weekday_keys": ("mon", "tue", "wed", "thu", "fri", "sat", "sun"),
                "nearby": nearby,
                "radius": radius,
                "radius_choices": RADIUS_CHOICES_M,
                "occurrences": _upcoming(all_events, attraction, now.date()),
                "saved": await _saved_ids(request, db),
                "json_ld": json_ld(attraction_jsonld(attraction, page.locale, site)),
            },
            headers={"cache-control": "private, max-age=60"},
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
        latitude = parse_float(lat, low=-90, high=90)
        longitude = parse_float(lng, low=-180, high=180)
        nearby = None
        invalid = (lat or lng) and (latitude is None or longitude is None)
        if latitude is not None and longitude is not None:
            nearby = await find_nearby(search_engine, latitude, longitude, radius, locale=page.locale)
        return page.render(
            "tourism/nearby.html",
            {
                "nearby": nearby,
                "lat": lat or "",
                "lng": lng or "",
                "radius": radius,
                "radius_choices": RADIUS_CHOICES_M,
                "invalid": bool(invalid),
                "saved": await _saved_ids(request, db),
            },
            status_code=400 if invalid else 200,
            headers={"cache-control": "private, no-store"},
        )
