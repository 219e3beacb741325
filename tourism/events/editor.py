"""Editors' pages for events: the list, and create and edit forms."""

from datetime import date
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from i18n import SUPPORTED_LOCALES
from tourism.attractions import service as attractions
from tourism.errors import InvalidInput, TourismError
from tourism.events import service
from tourism.events.models import Event, EventCreate, EventUpdate
from tourism.webutil import (
    GuardSet,
    PageRenderer,
    error_message,
    form_localized,
    form_text,
    parse_float,
    path_prefix,
)

__all__ = ["event_editor_handlers"]

LOCALIZED_FIELDS = ("name", "summary", "description", "venue", "calendar_note")
PRIVATE = {"cache-control": "private, no-store"}


def _values_from_form(form: Any) -> dict[str, Any]:
    values: dict[str, Any] = {field: form_localized(form, field) for field in LOCALIZED_FIELDS}
    try:
        values.update(
            starts_on=date.fromisoformat(form_text(form, "starts_on", 10)),
            ends_on=date.fromisoformat(form_text(form, "ends_on", 10)),
        )
    except ValueError:
        raise InvalidInput("give the first and last day as dates", code="invalid_dates") from None
    lat, lng = form_text(form, "lat", 32), form_text(form, "lng", 32)
    values.update(
        slug=form_text(form, "slug", 80).lower(),
        recurrence="yearly" if form.get("recurrence") == "yearly" else "none",
        date_precision="approximate" if form.get("date_precision") == "approximate" else "exact",
        attraction_slug=form_text(form, "attraction_slug", 80) or None,
        lat=parse_float(lat, low=-90, high=90),
        lng=parse_float(lng, low=-180, high=180),
        source=form_text(form, "source", 2000) or None,
        status="published" if form.get("status") == "published" else "draft",
    )
    if (lat and values["lat"] is None) or (lng and values["lng"] is None):
        raise InvalidInput("the latitude or longitude is not a number in range", code="invalid_point")
    return values


def _typed(form: Any) -> dict[str, Any]:
    """What the editor typed, to show the form again after an error."""
    values: dict[str, Any] = {
        field: {code: str(form.get(f"{field}_{code}", ""))[:10_000] for code in SUPPORTED_LOCALES}
        for field in LOCALIZED_FIELDS
    }
    for field in (
        "slug",
        "starts_on",
        "ends_on",
        "recurrence",
        "date_precision",
        "attraction_slug",
        "lat",
        "lng",
        "source",
        "status",
    ):
        values[field] = str(form.get(field, ""))[:2000]
    return values


def _current(event: Event) -> dict[str, Any]:
    return {
        field: getattr(event, field)
        for field in (
            *LOCALIZED_FIELDS,
            "slug",
            "starts_on",
            "ends_on",
            "recurrence",
            "date_precision",
            "attraction_slug",
            "source",
            "status",
        )
    } | {
        "lat": event.lat if event.attraction_slug is None else None,
        "lng": event.lng if event.attraction_slug is None else None,
    }


async def _context(
    db: asyncpg.Connection, event: Event | None, values: dict[str, Any], error: str = ""
) -> dict[str, Any]:
    places = await attractions.list_attractions(db, include_drafts=True, limit=100)
    return {
        "event": event,
        "values": values,
        "error": error,
        "places": places.items,
        "localized_fields": LOCALIZED_FIELDS,
        "form_locales": SUPPORTED_LOCALES,
    }


def event_editor_handlers(guards: GuardSet) -> list[Any]:
    """Editor pages under /{locale}/editor/events, all behind the editor guard."""
    editor_guard = guards.editor

    class EventEditorPages(Controller):
        """Create and edit events."""

        path = "/editor/events"
        guards = [editor_guard]

        @get("/", name="tourism.editor.events")
        async def work_list(
            self, page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]
        ) -> Response:
            """Every event, drafts included."""
            return page.render(
                "tourism/editor_events.html",
                {"events": await service.list_events(db, include_drafts=True)},
                headers=PRIVATE,
            )

        @get("/new", name="tourism.editor.events.new")
        async def new_form(
            self, page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]
        ) -> Response:
            """An empty event form."""
            return page.render("tourism/editor_event_form.html", await _context(db, None, {}), headers=PRIVATE)

        @post("/new", name="tourism.editor.events.create")
        async def create(
            self,
            request: Request[Any, Any, Any],
            page: NamedDependency[PageRenderer],
            db: NamedDependency[asyncpg.Connection],
        ) -> Response:
            """Create the event, or show the form again with the problem."""
            form = await request.form()
            try:
                event = await service.create_event(db, msgspec.convert(_values_from_form(form), EventCreate))
            except (TourismError, msgspec.ValidationError) as error:
                message = error_message(error)
                return page.render(
                    "tourism/editor_event_form.html",
                    await _context(db, None, _typed(form), message),
                    status_code=422,
                    headers=PRIVATE,
                )
            return Redirect(
                f"{path_prefix(page)}/{page.locale}/editor/events/{event.slug}/edit?saved=1",
                status_code=HTTP_303_SEE_OTHER,
            )

        @get("/{slug:str}/edit", name="tourism.editor.events.edit")
        async def edit_form(
            self, slug: FromPath[str], page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]
        ) -> Response:
            """The event's form, filled in."""
            event = await service.get_event(db, slug, include_drafts=True)
            return page.render(
                "tourism/editor_event_form.html", await _context(db, event, _current(event)), headers=PRIVATE
            )

        @post("/{slug:str}/edit", name="tourism.editor.events.update")
        async def update(
            self,
            request: Request[Any, Any, Any],
            slug: FromPath[str],
            page: NamedDependency[PageRenderer],
            db: NamedDependency[asyncpg.Connection],
        ) -> Response:
            """Save the form."""
            event = await service.get_event(db, slug, include_drafts=True)
            form = await request.form()
            try:
                event = await service.update_event(db, slug, msgspec.convert(_values_from_form(form), EventUpdate))
            except (TourismError, msgspec.ValidationError) as error:
                message = error_message(error)
                return page.render(
                    "tourism/editor_event_form.html",
                    await _context(db, event, _typed(form), message),
                    status_code=422,
                    headers=PRIVATE,
                )
            return Redirect(
                f"{path_prefix(page)}/{page.locale}/editor/events/{event.slug}/edit?saved=1",
                status_code=HTTP_303_SEE_OTHER,
            )

    return [EventEditorPages]
