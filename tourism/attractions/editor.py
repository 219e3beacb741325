"""Editors' pages for attractions: work list with stale entries, create and edit forms, publishing, photos."""

from datetime import date, datetime
from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from i18n import SUPPORTED_LOCALES, TIME_ZONE
from tourism.attractions import service
from tourism.attractions.api import read_photo_upload
from tourism.attractions.models import CATEGORIES, VISITOR_TYPES, Attraction, AttractionCreate, AttractionUpdate, Fee
from tourism.communes import communes
from tourism.errors import InvalidInput, TourismError
from tourism.hours import HoursSyntaxError, format_hours_text, parse_hours_text
from tourism.webutil import GuardSet, PageRenderer, error_message, form_localized, form_text, path_prefix

__all__ = ["attraction_editor_handlers", "parse_fees_text", "format_fees_text"]

LOCALIZED_FIELDS = ("name", "summary", "description", "accessibility", "tips", "best_season")
PRIVATE = {"cache-control": "private, no-store"}


def parse_fees_text(text: str) -> list[Fee]:
    """Fee lines "adult 40000 optional note" (amounts in VND); raise InvalidInput naming the line."""
    fees = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split()
        if not words:
            continue
        amount = words[1].replace(".", "").replace(",", "") if len(words) > 1 else ""
        if words[0] not in VISITOR_TYPES or not amount.isdigit():
            raise InvalidInput(
                f"fees line {number}: write a visitor type ({', '.join(VISITOR_TYPES)}) and an "
                f"amount in VND, e.g. 'adult 40000'",
                code="invalid_fees",
            )
        note = " ".join(words[2:])
        fees.append(
            Fee(
                visitor_type=words[0],
                amount_vnd=int(amount),  # type: ignore[arg-type]
                note={"en": note} if note else {},
            )
        )
    return fees


def format_fees_text(fees: list[Fee]) -> str:
    """The text form parse_fees_text reads."""
    return "\n".join(f"{fee.visitor_type} {fee.amount_vnd} {fee.note.get('en', '')}".rstrip() for fee in fees)


def _values_from_form(form: Any) -> dict[str, Any]:
    """The attraction's fields from the editor form; raises InvalidInput for unreadable ones."""
    values: dict[str, Any] = {field: form_localized(form, field) for field in LOCALIZED_FIELDS}
    try:
        hours = parse_hours_text(form_text(form, "hours", 5000), verified=form.get("hours_verified") == "on")
    except HoursSyntaxError as error:
        raise InvalidInput(f"opening hours, {error}", code="invalid_hours") from None
    commune = form_text(form, "commune", 10)
    verified_on = form_text(form, "verified_on", 10)
    try:
        values.update(
            slug=form_text(form, "slug", 80).lower(),
            category=form_text(form, "category", 40),
            commune_code=int(commune) if commune else None,
            lat=float(form_text(form, "lat", 32)),
            lng=float(form_text(form, "lng", 32)),
            verified_on=date.fromisoformat(verified_on) if verified_on else None,
        )
    except ValueError:
        raise InvalidInput("check the commune, the coordinates and the verified-on date", code="invalid_form") from None
    values.update(
        coord_accuracy=form_text(form, "coord_accuracy", 500) or "unknown",
        opening_hours=hours,
        fees=parse_fees_text(form_text(form, "fees", 2000)),
        source=form_text(form, "source", 2000) or None,
        status="published" if form.get("status") == "published" else "draft",
    )
    return values


def _form_context(
    attraction: Attraction | None,
    values: dict[str, Any] | None = None,
    error: str = "",
    hours_text: str = "",
    fees_text: str = "",
) -> dict[str, Any]:
    current = dict(values or {})
    if attraction is not None and values is None:
        current = {
            field: getattr(attraction, field)
            for field in (
                *LOCALIZED_FIELDS,
                "slug",
                "category",
                "commune_code",
                "lat",
                "lng",
                "coord_accuracy",
                "verified_on",
                "source",
                "status",
            )
        }
        hours_text = format_hours_text(attraction.opening_hours)
        fees_text = format_fees_text(attraction.fees)
    return {
        "attraction": attraction,
        "values": current,
        "error": error,
        "hours_text": hours_text,
        "fees_text": fees_text,
        "categories": CATEGORIES,
        "communes": communes(),
        "localized_fields": LOCALIZED_FIELDS,
        "form_locales": SUPPORTED_LOCALES,
        "hours_verified": bool(attraction and attraction.opening_hours.verified)
        if values is None
        else bool(values.get("opening_hours") and values["opening_hours"].verified),
    }


def attraction_editor_handlers(guards: GuardSet) -> list[Any]:
    """Editor pages under /{locale}/editor/attractions, all behind the editor guard."""
    editor_guard = guards.editor

    class AttractionEditorPages(Controller):
        """Create, edit, publish and illustrate attractions."""

        path = "/editor/attractions"
        guards = [editor_guard]

        @get("/", name="tourism.editor.attractions")
        async def work_list(
            self, page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]
        ) -> Response:
            """Every attraction (drafts included) and the ones whose facts need re-checking."""
            listing = await service.list_attractions(db, include_drafts=True, limit=100)
            stale = await service.list_stale_attractions(db, datetime.now(TIME_ZONE).date())
            return page.render(
                "tourism/editor_list.html",
                {"listing": listing, "stale": stale, "stale_days": service.STALE_AFTER_DAYS},
                headers=PRIVATE,
            )

        @get("/new", name="tourism.editor.attractions.new")
        async def new_form(self, page: NamedDependency[PageRenderer]) -> Response:
            """An empty attraction form."""
            return page.render("tourism/editor_form.html", _form_context(None, {"status": "draft"}), headers=PRIVATE)

        @post("/new", name="tourism.editor.attractions.create")
        async def create(
            self,
            request: Request[Any, Any, Any],
            page: NamedDependency[PageRenderer],
            db: NamedDependency[asyncpg.Connection],
        ) -> Response:
            """Create the attraction from the form, or show the form again with the problem."""
            form = await request.form()
            try:
                values = _values_from_form(form)
                attraction = await service.create_attraction(db, msgspec.convert(values, AttractionCreate))
            except (TourismError, msgspec.ValidationError) as error:
                return page.render(
                    "tourism/editor_form.html",
                    _form_context(
                        None,
                        _safe_values(form),
                        error_message(error),
                        form_text(form, "hours", 5000),
                        form_text(form, "fees", 2000),
                    ),
                    status_code=422,
                    headers=PRIVATE,
                )
            return Redirect(
                f"{path_prefix(page)}/{page.locale}/editor/attractions/{attraction.slug}/edit?saved=1",
                status_code=HTTP_303_SEE_OTHER,
            )

        @get("/{slug:str}/edit", name="tourism.editor.attractions.edit")
        async def edit_form(
            self, slug: FromPath[str], page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]
        ) -> Response:
            """The attraction's form filled in, with its photos."""
            attraction = await service.get_attraction(db, slug, include_drafts=True)
            return page.render("tourism/editor_form.html", _form_context(attraction), headers=PRIVATE)

        @post("/{slug:str}/edit", name="tourism.editor.attractions.update")
        async def update(
            self,
            request: Request[Any, Any, Any],
            slug: FromPath[str],
            page: NamedDependency[PageRenderer],
            db: NamedDependency[asyncpg.Connection],
        ) -> Response:
            """Save the form; a new slug moves the page and its search entry."""
            attraction = await service.get_attraction(db, slug, include_drafts=True)
            form = await request.form()
            try:
                values = _values_from_form(form)
                attraction = await service.update_attraction(db, slug, msgspec.convert(values, AttractionUpdate))
            except (TourismError, msgspec.ValidationError) as error:
                return page.render(
                    "tourism/editor_form.html",
                    _form_context(
                        attraction,
                        _safe_values(form),
                        error_message(error),
                        form_text(form, "hours", 5000),
                        form_text(form, "fees", 2000),
                    ),
                    status_code=422,
                    headers=PRIVATE,
                )
            return Redirect(
                f"{path_prefix(page)}/{page.locale}/editor/attractions/{attraction.slug}/edit?saved=1",
                status_code=HTTP_303_SEE_OTHER,
            )

        @post("/{slug:str}/publish", name="tourism.editor.attractions.publish")
        async def publish(
            self,
            request: Request[Any, Any, Any],
            slug: FromPath[str],
            page: NamedDependency[PageRenderer],
            db: NamedDependency[asyncpg.Connection],
        ) -> Response:
            """Publish the attraction, or take it back to draft (field `published`: 1 or 0)."""
            form = await request.form()
            await service.publish_attraction(db, slug, form.get("published") == "1")
            return Redirect(f"{path_prefix(page)}/{page.locale}/editor/attractions", status_code=HTTP_303_SEE_OTHER)

        @post("/{slug:str}/photos", name="tourism.editor.attractions.photos")
        async def add_photo(
            self,
            request: Request[Any, Any, Any],
            slug: FromPath[str],
            page: NamedDependency[PageRenderer],
            db: NamedDependency[asyncpg.Connection],
            images: NamedDependency[Any],
        ) -> Response:
            """Upload a photo through the image pipeline."""
            if images is None:
                raise InvalidInput("photo uploads are not configured on this server", code="images_unavailable")
            data, content_type, caption = await read_photo_upload(request)
            await service.add_photo(db, slug, images, data, content_type=content_type, caption=caption)
            return Redirect(
                f"{path_prefix(page)}/{page.locale}/editor/attractions/{slug}/edit", status_code=HTTP_303_SEE_OTHER
            )

        @post("/{slug:str}/photos/{photo_id:int}/delete", name="tourism.editor.attractions.photo_delete")
        async def delete_photo(
            self,
            slug: FromPath[str],
            photo_id: FromPath[int],
            page: NamedDependency[PageRenderer],
            db: NamedDependency[asyncpg.Connection],
        ) -> Response:
            """Detach a photo."""
            await service.remove_photo(db, slug, photo_id)
            return Redirect(
                f"{path_prefix(page)}/{page.locale}/editor/attractions/{slug}/edit", status_code=HTTP_303_SEE_OTHER
            )

    return [AttractionEditorPages]


def _safe_values(form: Any) -> dict[str, Any]:
    """What the editor typed, for showing the form again after an error (never raises)."""
    values: dict[str, Any] = {}
    for field in LOCALIZED_FIELDS:
        values[field] = {locale: str(form.get(f"{field}_{locale}", ""))[:10_000] for locale in SUPPORTED_LOCALES}
    for field in ("slug", "category", "lat", "lng", "coord_accuracy", "verified_on", "source", "status"):
        values[field] = str(form.get(field, ""))[:2000]
    commune = str(form.get("commune", ""))
    values["commune_code"] = int(commune) if commune.isdigit() else None
    return values
