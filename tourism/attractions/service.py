"""Attraction rules: validation, publishing, photos and search indexing, inside the caller's transaction."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

import asyncpg
import msgspec

from i18n.text import clean_localized
from search.changes import record_event
from search.outbox import enqueue
from tourism.attractions import repository
from tourism.attractions.models import Attraction, AttractionCreate, AttractionPage, AttractionUpdate, Photo
from tourism.communes import DATASET_VERSION, commune_name
from tourism.errors import Conflict, InvalidInput, NotFound, Unavailable

__all__ = [
    "get_open_data_dates",
    "STALE_AFTER_DAYS",
    "ImagePipeline",
    "StoredImage",
    "create_attraction",
    "update_attraction",
    "publish_attraction",
    "get_attraction",
    "list_attractions",
    "iter_published_attractions",
    "list_attraction_communes",
    "list_stale_attractions",
    "add_photo",
    "remove_photo",
    "describe_photo",
    "move_photo",
    "MAX_PHOTOS",
]

# Facts about a site (hours, fees, access) are re-checked with it at least once a year.
STALE_AFTER_DAYS = 365
MAX_PAGE_SIZE = 100
LOCALIZED_FIELDS = ("name", "summary", "description", "accessibility", "tips", "best_season")
MAX_LENGTH = {"name": 200, "summary": 500, "caption": 300, "alt": 300}
# A gallery, not an archive: more would make the page heavy on a weak signal and nobody scrolls that far.
MAX_PHOTOS = 12


class StoredImage(Protocol):
    """What the image pipeline returns for an upload."""

    key: str
    urls: dict[str, str]
    sizes: dict[str, tuple[int, int]]


class ImagePipeline(Protocol):
    """The app's image pipeline, received by dependency injection (it lives in marketplace)."""

    async def store_upload(self, data: bytes, *, content_type: str | None) -> StoredImage: ...

    async def delete(self, stored_key: str, names: Sequence[str] | None = None) -> None: ...


def _clean_text(field: str, value: dict[str, str]) -> dict[str, str]:
    try:
        return clean_localized(value, max_length=MAX_LENGTH.get(field, 10_000))
    except ValueError as error:
        raise InvalidInput(f"{field}: {error}", code="text_too_long", details={"field": field}) from None


def _row(values: dict[str, object]) -> repository.AttractionRow:
    """Check and normalise a complete set of values into the row that is stored."""
    for field in LOCALIZED_FIELDS:
        values[field] = _clean_text(field, values[field])  # type: ignore[arg-type]
    if not values["name"]:
        raise InvalidInput("an attraction needs a name in at least one language", code="name_required")
    code = values["commune_code"]
    if code is not None:
        name = commune_name(code)  # type: ignore[arg-type]
        if name is None:
            raise InvalidInput(
                f"commune {code} is not a ward or commune of Khánh Hòa in dataset {DATASET_VERSION}",
                code="unknown_commune",
                details={"commune_code": code},
            )
        values["commune_name"], values["commune_dataset_version"] = name, DATASET_VERSION
    else:
        values["commune_name"] = values["commune_dataset_version"] = None
    return msgspec.convert(values, repository.AttractionRow)


async def _events_at(connection: asyncpg.Connection, attraction_id: int) -> list[str]:
    # Events take their point and venue name from the attraction, so their documents change too.
    return [f"event:{slug}" for slug in await repository.list_event_slugs_at(connection, attraction_id)]


def _event_data(attraction: Attraction) -> dict[str, object]:
    # What webhooks and the changes feed say about it: enough to fetch it, nothing of a draft's text.
    return {"id": attraction.id, "slug": attraction.slug, "status": attraction.status}


async def create_attraction(connection: asyncpg.Connection, data: AttractionCreate) -> Attraction:
    """Create an attraction (a draft unless published) and queue it for search."""
    values = msgspec.structs.asdict(data)
    values.update(commune_name=None, commune_dataset_version=None)
    row = _row(values)
    try:
        async with connection.transaction():
            attraction = await repository.insert_attraction(connection, row)
    except asyncpg.UniqueViolationError:
        raise Conflict(f"the slug {data.slug!r} is taken", code="slug_taken", details={"slug": data.slug}) from None
    await enqueue(connection, [attraction.document_id])
    await record_event(connection, "attraction.created", _event_data(attraction))
    return attraction


async def update_attraction(connection: asyncpg.Connection, slug: str, data: AttractionUpdate) -> Attraction:
    """Change the given fields; a new slug re-indexes under the new id and drops the old one."""
    # Row-locked: the given fields are merged into the current row, so two saves at once must not both start from
    # the same old row and lose one editor's changes.
    current = await repository.get_attraction_for_update(connection, slug)
    if current is None:
        raise NotFound(f"no attraction {slug!r}", code="attraction_not_found")
    values = {field: getattr(current, field) for field in repository.AttractionRow.__struct_fields__}
    values.update({field: value for field, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET})
    row = _row(values)
    try:
        async with connection.transaction():
            attraction = await repository.update_attraction(connection, current.id, row)
    except asyncpg.UniqueViolationError:
        raise Conflict(f"the slug {row.slug!r} is taken", code="slug_taken", details={"slug": row.slug}) from None
    await enqueue(connection, [current.document_id, attraction.document_id, *await _events_at(connection, current.id)])
    await record_event(connection, "attraction.updated", _event_data(attraction))
    return attraction


async def publish_attraction(connection: asyncpg.Connection, slug: str, published: bool = True) -> Attraction:
    """Publish (or take back to draft) an attraction."""
    return await update_attraction(connection, slug, AttractionUpdate(status="published" if published else "draft"))


async def get_attraction(connection: asyncpg.Connection, slug: str, *, include_drafts: bool = False) -> Attraction:
    """The attraction with its photos; NotFound for unknown slugs and, for visitors, drafts."""
    attraction = await repository.get_attraction(connection, slug, include_drafts=include_drafts)
    if attraction is None:
        raise NotFound(f"no attraction {slug!r}", code="attraction_not_found")
    return attraction


async def list_attractions(
    connection: asyncpg.Connection,
    *,
    category: str | None = None,
    commune_code: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
    include_drafts: bool = False,
) -> AttractionPage:
    """A page of attractions in slug order; `cursor` is the previous page's `next_cursor`."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    items = await repository.list_attractions(
        connection,
        status=None if include_drafts else "published",
        category=category,
        commune_code=commune_code,
        after_slug=cursor,
        limit=limit + 1,
    )
    next_cursor = items[limit - 1].slug if len(items) > limit else None
    return AttractionPage(items=items[:limit], next_cursor=next_cursor)


async def list_attraction_communes(connection: asyncpg.Connection) -> list[tuple[int, str]]:
    """The communes that have published attractions, for the list page's filter."""
    return await repository.list_attraction_communes(connection)


async def iter_published_attractions(connection: asyncpg.Connection) -> list[Attraction]:
    """Every published attraction (open data exports, the search source)."""
    found: list[Attraction] = []
    cursor: str | None = None
    while True:
        batch = await repository.list_attractions(connection, after_slug=cursor, limit=500)
        found.extend(batch)
        if len(batch) < 500:
            return found
        cursor = batch[-1].slug


async def list_stale_attractions(connection: asyncpg.Connection, today: date) -> list[Attraction]:
    """Attractions not verified within STALE_AFTER_DAYS of `today`, for editors to re-check."""
    return await repository.list_stale_attractions(connection, today - timedelta(days=STALE_AFTER_DAYS))


async def add_photo(
    connection: asyncpg.Connection,
    slug: str,
    images: ImagePipeline | None,
    data: bytes,
    *,
    content_type: str | None,
    caption: dict[str, str] | None = None,
    alt: dict[str, str] | None = None,
    alt_locale: str | None = None,
) -> Photo:
    """Store an upload through the image pipeline and attach it after the attraction's other photos.

    The alt text is required in `alt_locale` (the uploader's language) when given, else in any one language;
    other languages fall back to it. Everything is checked before the file is decoded.
    """
    attraction = await repository.get_attraction_for_update(connection, slug)
    if attraction is None:
        raise NotFound(f"no attraction {slug!r}", code="attraction_not_found")
    if images is None:
        raise Unavailable("photo uploads are not configured on this server", code="images_unavailable")
    alt_text = _checked_alt(alt or {}, alt_locale)
    caption_text = _clean_text("caption", caption or {})
    if await repository.count_photos(connection, attraction.id) >= MAX_PHOTOS:
        raise Conflict(f"an attraction has at most {MAX_PHOTOS} photos", code="too_many_photos",
                       details={"max_photos": MAX_PHOTOS})
    stored = await images.store_upload(data, content_type=content_type)
    photo = await repository.insert_photo(
        connection, attraction.id, stored.key, dict(stored.urls), caption_text,
        alt=alt_text, sizes=dict(getattr(stored, "sizes", None) or {}),
    )
    await enqueue(connection, [attraction.document_id])
    await record_event(connection, "attraction.updated", _event_data(attraction))
    return photo


def _checked_alt(alt: dict[str, str], required_locale: str | None) -> dict[str, str]:
    cleaned = _clean_text("alt", alt)
    if required_locale is not None and not cleaned.get(required_locale):
        raise InvalidInput("describe the photo in your language for people who cannot see it",
                           code="alt_required", details={"locale": required_locale})
    if not cleaned:
        raise InvalidInput("describe the photo for people who cannot see it", code="alt_required")
    return cleaned


async def describe_photo(
    connection: asyncpg.Connection, slug: str, photo_id: int, alt: dict[str, str], alt_locale: str | None = None
) -> Photo:
    """Replace a photo's alt text (required in `alt_locale` when given, else in one language)."""
    attraction = await repository.get_attraction_for_update(connection, slug)
    photo = None
    if attraction is not None:
        photo = await repository.update_photo_alt(connection, attraction.id, photo_id, _checked_alt(alt, alt_locale))
    if attraction is None or photo is None:
        raise NotFound(f"no photo {photo_id} on {slug!r}", code="photo_not_found")
    return photo


async def move_photo(connection: asyncpg.Connection, slug: str, photo_id: int, step: int) -> None:
    """Move a photo one place earlier (-1) or later (+1); the first photo is the attraction's card image."""
    attraction = await repository.get_attraction_for_update(connection, slug)
    if attraction is None or not any(photo.id == photo_id for photo in await _photos_of(connection, attraction.id)):
        raise NotFound(f"no photo {photo_id} on {slug!r}", code="photo_not_found")
    # Moving the first photo up (or the last down) changes nothing and is no error.
    if await repository.move_photo(connection, attraction.id, photo_id, step):
        await enqueue(connection, [attraction.document_id])
        await record_event(connection, "attraction.updated", _event_data(attraction))


async def _photos_of(connection: asyncpg.Connection, attraction_id: int) -> list[Photo]:
    return (await repository.list_photos(connection, [attraction_id])).get(attraction_id, [])


async def remove_photo(
    connection: asyncpg.Connection, slug: str, photo_id: int, images: ImagePipeline | None = None
) -> None:
    """Remove a photo from the attraction, then its files when the pipeline is given (the row goes first: if
    the files cannot be deleted, the removal rolls back)."""
    attraction = await repository.get_attraction_for_update(connection, slug)
    removed = None if attraction is None else await repository.delete_photo(connection, attraction.id, photo_id)
    if attraction is None or removed is None:
        raise NotFound(f"no photo {photo_id} on {slug!r}", code="photo_not_found")
    await enqueue(connection, [attraction.document_id])
    await record_event(connection, "attraction.updated", _event_data(attraction))
    if images is not None:
        await images.delete(*removed)


async def get_open_data_dates(connection: asyncpg.Connection) -> tuple[datetime | None, datetime | None]:
    """When the open data feeds were first published and last changed (for the open data catalogue)."""
    row = await repository.get_open_data_dates(connection)
    return row["issued"], row["modified"]
