"""The events JSON API under /api/v1: reading, calendar feeds, open data, and editors' writes."""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Response, Router, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from i18n import SUPPORTED_LOCALES
from tourism.events import service
from tourism.events.ical import calendar_bytes
from tourism.events.models import Event, EventCreate, EventUpdate
from tourism.events.opendata import events_csv, events_geojson
from tourism.webutil import base_url, is_editor

__all__ = ["router", "EventApi", "EventFeedsApi", "EventEditorApi"]

CALENDAR_HEADERS = {"cache-control": "public, max-age=900", "access-control-allow-origin": "*"}
CALENDAR_NAME = {"vi": "Sự kiện du lịch Ninh Thuận", "en": "Ninh Thuan tourism events"}


def _feed_locale(locale: str | None, negotiated: str) -> str:
    return locale if locale in SUPPORTED_LOCALES else negotiated


class EventApi(Controller):
    """Public reads of events."""

    path = "/events"
    tags = ["tourism"]

    @get("/", name="tourism.api.events.list", opt={"read_replica": True})
    async def list_events(
        self,
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Any],
        drafts: Annotated[bool, QueryParameter()] = False,
    ) -> list[Event]:
        """Every published event by stored start date (editors may ask for drafts)."""
        return await service.list_events(db, include_drafts=drafts and is_editor(principal))

    @get("/{slug:str}", name="tourism.api.events.detail", opt={"read_replica": True})
    async def get_event(
        self, slug: FromPath[str], db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Any]
    ) -> Event:
        """One event."""
        return await service.get_event(db, slug, include_drafts=is_editor(principal))

    @get("/{slug:str}/event.ics", name="tourism.api.events.ics_one", media_type="text/calendar")
    async def one_ics(
        self,
        slug: FromPath[str],
        db: NamedDependency[asyncpg.Connection],
        settings: NamedDependency[Any],
        locale: NamedDependency[str],
        feed_locale: Annotated[str | None, QueryParameter(name="locale", max_length=5)] = None,
    ) -> Response[bytes]:
        """One event as an iCalendar file."""
        event = await service.get_event(db, slug)
        body = calendar_bytes([event], locale=_feed_locale(feed_locale, locale), base_url=base_url(settings))
        return Response(
            body,
            media_type="text/calendar",
            headers={**CALENDAR_HEADERS, "content-disposition": f'attachment; filename="{slug}.ics"'},
        )


class EventFeedsApi(Controller):
    """The calendar feed and open data of all events."""

    path = "/"
    tags = ["tourism"]

    @get("/events.ics", name="tourism.api.events.ics", media_type="text/calendar")
    async def all_ics(
        self,
        db: NamedDependency[asyncpg.Connection],
        settings: NamedDependency[Any],
        locale: NamedDependency[str],
        feed_locale: Annotated[str | None, QueryParameter(name="locale", max_length=5)] = None,
    ) -> Response[bytes]:
        """Every published event as one iCalendar feed (subscribe to it; yearly events repeat)."""
        chosen = _feed_locale(feed_locale, locale)
        body = calendar_bytes(
            await service.list_events(db),
            locale=chosen,
            base_url=base_url(settings),
            name=CALENDAR_NAME.get(chosen, CALENDAR_NAME["en"]),
        )
        return Response(
            body,
            media_type="text/calendar",
            headers={**CALENDAR_HEADERS, "content-disposition": 'inline; filename="events.ics"'},
        )

    @get("/events.geojson", name="tourism.api.events.geojson", media_type="application/geo+json")
    async def geojson(
        self, db: NamedDependency[asyncpg.Connection], settings: NamedDependency[Any]
    ) -> Response[dict[str, Any]]:
        """Every published event as GeoJSON ([longitude, latitude]; events without a place have no geometry)."""
        return Response(
            events_geojson(await service.list_events(db), base_url(settings)),
            media_type="application/geo+json",
            headers=CALENDAR_HEADERS,
        )

    @get("/events.csv", name="tourism.api.events.csv", media_type="text/csv")
    async def csv(self, db: NamedDependency[asyncpg.Connection]) -> Response[str]:
        """Every published event as CSV (UTF-8)."""
        return Response(
            events_csv(await service.list_events(db)),
            media_type="text/csv",
            headers={**CALENDAR_HEADERS, "content-disposition": 'attachment; filename="events.csv"'},
        )


class EventEditorApi(Controller):
    """Editors create and change events."""

    path = "/events"
    tags = ["tourism"]
    opt = {"roles": ("editor",)}

    @post("/", name="tourism.api.events.create")
    async def create(self, data: JSONBody[EventCreate], db: NamedDependency[asyncpg.Connection]) -> Event:
        """Create an event (a draft unless `status` is "published")."""
        return await service.create_event(db, data)

    @patch("/{slug:str}", name="tourism.api.events.update")
    async def update(
        self, slug: FromPath[str], data: JSONBody[EventUpdate], db: NamedDependency[asyncpg.Connection]
    ) -> Event:
        """Change some fields of an event."""
        return await service.update_event(db, slug, data)


router = Router(path="/", route_handlers=[EventApi, EventFeedsApi, EventEditorApi])
