"""The editors' list of what is not yet written in every language, across attractions and events."""

from typing import Any

import asyncpg
from litestar import Controller, Response, Router, get
from litestar.di import NamedDependency

from i18n import translation_gaps
from tourism.attractions import service as attractions
from tourism.events import service as events
from tourism.webutil import NO_STORE, PageRenderer

__all__ = ["router", "TranslationPages", "catalogue_gaps", "ATTRACTION_TEXT", "EVENT_TEXT"]

# The text a visitor reads, by listing kind, and which of it every listing must have (the rest is optional:
# an empty field is not missing, a field written in some languages but not others is).
ATTRACTION_TEXT = ("name", "summary", "description", "tips", "best_season", "accessibility")
EVENT_TEXT = ("name", "summary", "description", "calendar_note", "venue")
REQUIRED = ("name", "summary")


async def _all_attractions(db: asyncpg.Connection) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        page = await attractions.list_attractions(db, include_drafts=True, cursor=cursor, limit=100)
        items += page.items
        cursor = page.next_cursor
        if not cursor:
            return items


async def catalogue_gaps(db: asyncpg.Connection) -> list[dict[str, Any]]:
    """Every attraction and event (drafts included) with a field missing in a locale, and what it misses."""
    rows: list[dict[str, Any]] = []
    for kind, items, fields in (
        ("attraction", await _all_attractions(db), ATTRACTION_TEXT),
        ("event", await events.list_events(db, include_drafts=True), EVENT_TEXT),
    ):
        for item in items:
            gaps = translation_gaps({field: getattr(item, field) for field in fields}, REQUIRED)
            if gaps:
                rows.append({"kind": kind, "slug": item.slug, "name": item.name, "gaps": gaps,
                             "edit_path": f"/editor/{kind}s/{item.slug}/edit"})
    return rows


class TranslationPages(Controller):
    """/{locale}/editor/translations: editors only (admins hold every role)."""

    path = "/editor/translations"
    opt = {"roles": ("editor",)}

    @get("/", name="tourism.editor.translations")
    async def missing(self, page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]) -> Response:
        """Attractions and events whose text is missing in a language, field by field."""
        return page.render("tourism/editor_translations.html", {"rows": await catalogue_gaps(db)}, headers=NO_STORE)


router = Router(path="/", route_handlers=[TranslationPages])
