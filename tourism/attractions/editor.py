"""Editors' pages for attractions: work list with stale entries, create and edit forms, publishing, photos."""

from typing import Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, Router, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from i18n import SUPPORTED_LOCALES
from tourism import clock
from tourism.attractions import service
from tourism.attractions.models import (
    CATEGORIES,
    VISITOR_TYPES,
    Attraction,
    AttractionCreate,
    AttractionForm,
    AttractionUpdate,
    Fee,
)
from tourism.attractions.uploads import localized_fields, read_photo_upload
from tourism.communes import communes
from tourism.errors import InvalidInput
from tourism.hours import HoursSyntaxError, format_hours_text, parse_hours_text
from tourism.webutil import NO_STORE, PageRenderer, checked, see_other, submit_form

__all__ = ["router", "AttractionEditorPages", "parse_fees_text", "format_fees_text"]

LOCALIZED_FIELDS = ("name", "summary", "description", "accessibility", "tips", "best_season")
PLAIN_FIELDS = ("slug", "category", "lat", "lng", "coord_accuracy", "verified_on", "source", "status")
FORM_TEMPLATE = "tourism/editor_form.html"


def _fee(words: list[str]) -> Fee | None:
    """One fee line ("adult 40.000 weekends") as a Fee; None when its type or amount is not one."""
    amount = words[1].replace(".", "").replace(",", "") if len(words) > 1 else ""
    if not amount.isdigit():
        return None
    note = " ".join(words[2:])
    try:
        return msgspec.convert(
            {"visitor_type": words[0], "amount_vnd": int(amount), "note": {"en": note} if note else {}}, Fee
        )
    except msgspec.ValidationError:
        return None


def parse_fees_text(text: str) -> list[Fee]:
    """Fee lines "adult 40000 optional note" (amounts in VND); raise InvalidInput naming the line."""
    fees = []
    for number, raw in enumerate(text.splitlines(), start=1):
        words = raw.split()
        if not words:
            continue
        fee = _fee(words)
        if fee is None:
            raise InvalidInput(
                f"fees line {number}: write a visitor type ({', '.join(VISITOR_TYPES)}) and an "
                f"amount in VND, e.g. 'adult 40000'",
                code="invalid_fees",
                details={"field": "fees"},
            )
        fees.append(fee)
    return fees


def format_fees_text(fees: list[Fee]) -> str:
    """The text form parse_fees_text reads."""
    return "\n".join(f"{fee.visitor_type} {fee.amount_vnd} {fee.note.get('en', '')}".rstrip() for fee in fees)


def _attraction_fields(data: AttractionForm) -> dict[str, Any]:
    """The service's fields from the form: the hours and fees read from their text."""
    fields = msgspec.structs.asdict(data)
    hours_text, verified, fees_text = fields.pop("hours"), fields.pop("hours_verified"), fields.pop("fees")
    try:
        fields["opening_hours"] = parse_hours_text(hours_text, verified=verified)
    except HoursSyntaxError as error:
        raise InvalidInput(f"opening hours, {error}", code="invalid_hours", details={"field": "hours"}) from None
    fields["fees"] = parse_fees_text(fees_text)
    return fields


def _form_values(attraction: Attraction) -> dict[str, Any]:
    """The stored attraction as the form's inputs are named, to fill in the edit form."""
    values: dict[str, Any] = {
        f"{field}_{locale}": text for field in LOCALIZED_FIELDS for locale, text in getattr(attraction, field).items()
    }
    values.update({field: getattr(attraction, field) for field in PLAIN_FIELDS})
    return values | {
        "commune": attraction.commune_code,
        "hours": format_hours_text(attraction.opening_hours),
        "hours_verified": attraction.opening_hours.verified,
        "fees": format_fees_text(attraction.fees),
    }


def _render_form(
    page: PageRenderer,
    attraction: Attraction | None,
    values: dict[str, Any],
    errors: list[tuple[str, str]] | None = None,
    status_code: int = 200,
) -> Response:
    return page.render(
        FORM_TEMPLATE,
        {
            "attraction": attraction,
            "values": values,
            "errors": errors or [],
            "categories": CATEGORIES,
            "communes": communes(),
            "localized_fields": LOCALIZED_FIELDS,
            "form_locales": SUPPORTED_LOCALES,
            "max_photos": service.MAX_PHOTOS,
        },
        status_code=status_code,
        headers=NO_STORE,
    )


def _edit_path(slug: str, saved: bool = False) -> str:
    return f"/editor/attractions/{slug}/edit" + ("?saved=1" if saved else "")


async def _save_form(
    request: Request[Any, Any, Any], page: PageRenderer, db: asyncpg.Connection, slug: str | None
) -> Response:
    """Create an attraction from the form (no slug) or update the one at `slug`; then its edit page."""

    async def save(data: AttractionForm) -> str:
        fields = _attraction_fields(data)
        if slug is None:
            attraction = await service.create_attraction(db, checked(fields, AttractionCreate))
        else:
            attraction = await service.update_attraction(db, slug, checked(fields, AttractionUpdate))
        return _edit_path(attraction.slug, saved=True)

    async def show_again(values: dict[str, Any], errors: list[tuple[str, str]], status: int) -> Response:
        # The stored attraction (its photos) is read only to show the form again: a save reads it once, locked,
        # and an unknown slug is a 404 here as before. Every refusal answers 422 (a taken slug included).
        current = None if slug is None else await service.get_attraction(db, slug, include_drafts=True)
        return _render_form(page, current, values, errors, 422)

    form = await request.form()
    # Slugs are typed as they come ("New-Dunes"); they are stored in lower case.
    return await submit_form(db, page, form, AttractionForm, save, show_again,
                             slug=str(form.get("slug") or "").strip().lower())


class AttractionEditorPages(Controller):
    """Create, edit, publish and illustrate attractions: pages under /{locale}/editor/attractions, editors only."""

    path = "/editor/attractions"
    opt = {"roles": ("editor",)}

    @get("/", name="tourism.editor.attractions")
    async def work_list(self, page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]) -> Response:
        """Every attraction (drafts included) and the ones whose facts need re-checking."""
        listing = await service.list_attractions(db, include_drafts=True, limit=100)
        stale = await service.list_stale_attractions(db, clock.local_today())
        return page.render(
            "tourism/editor_list.html",
            {"listing": listing, "stale": stale, "stale_days": service.STALE_AFTER_DAYS},
            headers=NO_STORE,
        )

    @get("/new", name="tourism.editor.attractions.new")
    async def new_form(self, page: NamedDependency[PageRenderer]) -> Response:
        """An empty attraction form."""
        return _render_form(page, None, {"status": "draft"})

    @post("/new", name="tourism.editor.attractions.create")
    async def create(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
    ) -> Response:
        """Create the attraction from the form, or show the form again with the problem."""
        return await _save_form(request, page, db, None)

    @get("/{slug:str}/edit", name="tourism.editor.attractions.edit")
    async def edit_form(
        self, slug: FromPath[str], page: NamedDependency[PageRenderer], db: NamedDependency[asyncpg.Connection]
    ) -> Response:
        """The attraction's form filled in, with its photos."""
        attraction = await service.get_attraction(db, slug, include_drafts=True)
        return _render_form(page, attraction, _form_values(attraction))

    @post("/{slug:str}/edit", name="tourism.editor.attractions.update")
    async def update(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
    ) -> Response:
        """Save the form; a new slug moves the page and its search entry."""
        return await _save_form(request, page, db, slug)

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
        return see_other(page, "/editor/attractions")

    @post("/{slug:str}/photos", name="tourism.editor.attractions.photos", opt={"cpu_work": "image"})
    async def add_photo(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        images: NamedDependency[Any],
    ) -> Response:
        """Upload a photo through the image pipeline, with its alt text (required in the editor's language)."""
        if images is None:
            raise InvalidInput("photo uploads are not configured on this server", code="images_unavailable")
        upload = await read_photo_upload(request)
        await service.add_photo(db, slug, images, upload.data, content_type=upload.content_type,
                                caption=upload.caption, alt=upload.alt, alt_locale=page.locale)
        return see_other(page, _edit_path(slug) + "#h-photos")

    @post("/{slug:str}/photos/{photo_id:int}/alt", name="tourism.editor.attractions.photo_alt")
    async def describe_photo(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        photo_id: FromPath[int],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
    ) -> Response:
        """Change a photo's alt text (`alt_<locale>` fields; the editor's language is required)."""
        form = await request.form()
        await service.describe_photo(db, slug, photo_id, localized_fields(form, "alt"), page.locale)
        return see_other(page, _edit_path(slug) + f"#photo-{photo_id}")

    @post("/{slug:str}/photos/{photo_id:int}/move", name="tourism.editor.attractions.photo_move")
    async def move_photo(
        self,
        request: Request[Any, Any, Any],
        slug: FromPath[str],
        photo_id: FromPath[int],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
    ) -> Response:
        """Move a photo one place earlier (`direction=earlier`) or later; the first one is the card image."""
        form = await request.form()
        direction = form.get("direction")
        if direction not in ("earlier", "later"):
            raise InvalidInput("direction must be 'earlier' or 'later'", code="invalid_direction")
        await service.move_photo(db, slug, photo_id, -1 if direction == "earlier" else 1)
        return see_other(page, _edit_path(slug) + f"#photo-{photo_id}")

    @post("/{slug:str}/photos/{photo_id:int}/delete", name="tourism.editor.attractions.photo_delete")
    async def delete_photo(
        self,
        slug: FromPath[str],
        photo_id: FromPath[int],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        images: NamedDependency[Any],
    ) -> Response:
        """Remove a photo and its files."""
        await service.remove_photo(db, slug, photo_id, images)
        return see_other(page, _edit_path(slug) + "#h-photos")


router = Router(path="/", route_handlers=[AttractionEditorPages])
