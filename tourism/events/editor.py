"""Editors' pages for events: the list, and create and edit forms."""

from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from i18n import SUPPORTED_LOCALES
from tourism.attractions import service as attractions
from tourism.events import service
from tourism.events.models import Event, EventCreate, EventForm, EventUpdate
from tourism.webutil import NO_STORE, PageRenderer, checked, submit_form

__all__ = ["router", "EventEditorPages"]

LOCALIZED_FIELDS = ("name", "summary", "description", "venue", "calendar_note")
PLAIN_FIELDS = ("slug", "starts_on", "ends_on", "recurrence", "date_precision", "attraction_slug", "source", "status")
FORM_TEMPLATE = "tourism/editor_event_form.html"


def _form_values(event: Event) -> dict[str, Any]:
    """The stored event as the form's inputs are named; the point only when it is the event's own."""
    values: dict[str, Any] = {
        f"{field}_{locale}": text for field in LOCALIZED_FIELDS for locale, text in getattr(event, field).items()
    }
    values.update({field: getattr(event, field) for field in PLAIN_FIELDS})
    at_attraction = event.attraction_slug is not None
    return values | {"lat": None if at_attraction else event.lat, "lng": None if at_attraction else event.lng}


async def _render_form(
    page: PageRenderer,
    db: asyncpg.Connection,
    event: Event | None,
    values: dict[str, Any],
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    places = await attractions.list_attractions(db, include_drafts=True, limit=100)
    return page.render(
        FORM_TEMPLATE,
        {
            "event": event,
            "values": values,
            "errors": errors or [],
            "places": places.items,
            "localized_fields": LOCALIZED_FIELDS,
            "form_locales": SUPPORTED_LOCALES,
        },
        status_code=status_code,
        headers=NO_STORE,
    )


async def _save_form(
    request: Request[Any, Any, Any], page: PageRenderer, db: asyncpg.Connection, slug: str | None
) -> Response:
    """Create an event from the form (no slug) or update the one at `slug`; then its edit page."""

    async def save(data: EventForm) -> str:
        fields = msgspec.structs.asdict(data)
        if slug is None:
            event = await service.create_event(db, checked(fields, EventCreate))
        else:
            event = await service.update_event(db, slug, checked(fields, EventUpdate))
        return f"/editor/events/{event.slug}/edit?saved=1"

    async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
        # The stored event is read only to show the form again: a save reads it once, locked, and an unknown
        # slug is a 404 here as before. Every refusal answers 422 (a taken slug included), as it always has.
        current = None if slug is None else await service.get_event(db, slug, include_drafts=True)
        return await _render_form(page, db, current, values, errors, 422)

    form = await request.form()
    # Slugs are typed as they come; they are stored in lower case.
    return await submit_form(db, page, form, EventForm, save, show_again,
                             slug=str(form.get("slug") or "").strip().lower())


class EventEditorPages(Controller):
    """Create and edit events: pages under /{locale}/editor/events, editors only."""

    path = "/editor/events"
    opt = {"roles": ("editor",)}

    @get("/", name="tourism.editor.events")
    async def work_list(self, page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]) -> Response:
        """Every event, drafts included."""
        return page.render(
            "tourism/editor_events.html",
            {"events": await service.list_events(db, include_drafts=True)},
            headers=NO_STORE,
        )

    @get("/new", name="tourism.editor.events.new")
    async def new_form(self, page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]) -> Response:
        """An empty event form."""
        return await _render_form(page, db, None, {})

    @post("/new", name="tourism.editor.events.create")
    async def create(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
    ) -> Response:
        """Create the event, or show the form again with the problem."""
        return await _save_form(request, page, db, None)

    @get("/{slug:str}/edit", name="tourism.editor.events.edit")
    async def edit_form(
        self, slug: FromPath[str], page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]
    ) -> Response:
        """The event's form, filled in."""
        event = await service.get_event(db, slug, include_drafts=True)
        return await _render_form(page, db, event, _form_values(event))

    @post("/{slug:str}/edit", name="tourism.editor.events.update")
    async def update(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
    ) -> Response:
        """Save the form."""
        return await _save_form(request, page, db, slug)


router = Router(path="/", route_handlers=[EventEditorPages])
