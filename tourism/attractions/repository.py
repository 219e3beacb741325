"""SQL for attractions and their photos; nothing else lives here."""

from collections.abc import Sequence
from datetime import date

import asyncpg
import msgspec

from tourism.attractions.models import Attraction, Fee, Photo
from tourism.hours import OpeningHours

__all__ = [
    "AttractionRow",
    "get_attraction",
    "get_attraction_for_update",
    "list_attractions",
    "list_attractions_by_slugs",
    "list_stale_attractions",
    "insert_attraction",
    "update_attraction",
    "list_attraction_communes",
    "list_photos",
    "insert_photo",
    "delete_photo",
    "count_photos",
    "update_photo_alt",
    "move_photo",
    "list_event_slugs_at",
    "record_poster_scan",
    "get_open_data_dates",
]

GET_BY_SLUG = """SELECT
    a.id, a.slug, a.name, a.summary, a.description, a.category, a.commune_code, a.commune_name,
    a.commune_dataset_version, a.lat, a.lng, a.coord_accuracy, a.opening_hours, a.fees, a.accessibility,
    a.tips, a.best_season, a.verified_on, a.source, a.status, a.created_at, a.updated_at, a.published_at
FROM tourism.attractions a WHERE a.slug = $1 AND ($2 OR a.status = 'published')"""
GET_FOR_UPDATE = """SELECT
    a.id, a.slug, a.name, a.summary, a.description, a.category, a.commune_code, a.commune_name,
    a.commune_dataset_version, a.lat, a.lng, a.coord_accuracy, a.opening_hours, a.fees, a.accessibility,
    a.tips, a.best_season, a.verified_on, a.source, a.status, a.created_at, a.updated_at, a.published_at
FROM tourism.attractions a WHERE a.slug = $1 FOR UPDATE"""
LIST = """
SELECT
    a.id, a.slug, a.name, a.summary, a.description, a.category, a.commune_code, a.commune_name,
    a.commune_dataset_version, a.lat, a.lng, a.coord_accuracy, a.opening_hours, a.fees, a.accessibility,
    a.tips, a.best_season, a.verified_on, a.source, a.status, a.created_at, a.updated_at, a.published_at
FROM tourism.attractions a
WHERE ($1::text IS NULL OR a.status = $1)
  AND ($2::text IS NULL OR a.category = $2)
  AND ($3::int IS NULL OR a.commune_code = $3)
  AND ($4::text IS NULL OR a.slug > $4)
ORDER BY a.slug
LIMIT $5
"""
LIST_BY_SLUGS = """SELECT
    a.id, a.slug, a.name, a.summary, a.description, a.category, a.commune_code, a.commune_name,
    a.commune_dataset_version, a.lat, a.lng, a.coord_accuracy, a.opening_hours, a.fees, a.accessibility,
    a.tips, a.best_season, a.verified_on, a.source, a.status, a.created_at, a.updated_at, a.published_at
FROM tourism.attractions a WHERE a.slug = ANY($1::text[]) AND ($2 OR a.status = 'published')"""
LIST_STALE = """
SELECT
    a.id, a.slug, a.name, a.summary, a.description, a.category, a.commune_code, a.commune_name,
    a.commune_dataset_version, a.lat, a.lng, a.coord_accuracy, a.opening_hours, a.fees, a.accessibility,
    a.tips, a.best_season, a.verified_on, a.source, a.status, a.created_at, a.updated_at, a.published_at
FROM tourism.attractions a
WHERE a.verified_on IS NULL OR a.verified_on < $1
ORDER BY a.verified_on NULLS FIRST, a.slug
LIMIT $2
"""
INSERT = """
INSERT INTO tourism.attractions AS a (
    slug, name, summary, description, category, commune_code, commune_name, commune_dataset_version,
    lat, lng, coord_accuracy, opening_hours, fees, accessibility, tips, best_season, verified_on, source,
    status, published_at
) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
          CASE WHEN $19 = 'published' THEN now() END)
RETURNING
    a.id, a.slug, a.name, a.summary, a.description, a.category, a.commune_code, a.commune_name,
    a.commune_dataset_version, a.lat, a.lng, a.coord_accuracy, a.opening_hours, a.fees, a.accessibility,
    a.tips, a.best_season, a.verified_on, a.source, a.status, a.created_at, a.updated_at, a.published_at
"""
UPDATE = """
UPDATE tourism.attractions AS a SET
    slug = $2, name = $3, summary = $4, description = $5, category = $6, commune_code = $7,
    commune_name = $8, commune_dataset_version = $9, lat = $10, lng = $11, coord_accuracy = $12,
    opening_hours = $13, fees = $14, accessibility = $15, tips = $16, best_season = $17, verified_on = $18,
    source = $19, status = $20, updated_at = now(),
    published_at = CASE WHEN $20 = 'published' THEN coalesce(a.published_at, now()) END
WHERE a.id = $1
RETURNING
    a.id, a.slug, a.name, a.summary, a.description, a.category, a.commune_code, a.commune_name,
    a.commune_dataset_version, a.lat, a.lng, a.coord_accuracy, a.opening_hours, a.fees, a.accessibility,
    a.tips, a.best_season, a.verified_on, a.source, a.status, a.created_at, a.updated_at, a.published_at
"""
LIST_COMMUNES = """
SELECT DISTINCT commune_code, commune_name FROM tourism.attractions
WHERE status = 'published' AND commune_code IS NOT NULL
ORDER BY commune_name
"""
LIST_PHOTOS = """
SELECT id, attraction_id, key, urls, caption, alt, sizes FROM tourism.attraction_photos
WHERE attraction_id = ANY($1::bigint[]) ORDER BY position, id
"""
INSERT_PHOTO = """
INSERT INTO tourism.attraction_photos (attraction_id, key, urls, caption, alt, sizes, position)
VALUES ($1, $2, $3, $4, $5, $6,
        (SELECT coalesce(max(position) + 1, 0) FROM tourism.attraction_photos WHERE attraction_id = $1))
RETURNING id, key, urls, caption, alt, sizes
"""
DELETE_PHOTO = "DELETE FROM tourism.attraction_photos WHERE id = $1 AND attraction_id = $2 RETURNING key, urls"
COUNT_PHOTOS = "SELECT count(*) FROM tourism.attraction_photos WHERE attraction_id = $1"
UPDATE_PHOTO_ALT = """
UPDATE tourism.attraction_photos SET alt = $3 WHERE id = $1 AND attraction_id = $2
RETURNING id, key, urls, caption, alt, sizes
"""
# Swap a photo with its neighbour before (-1) or after (+1) it; positions are renumbered 0..n-1 first, so
# rows that share a position (older rows, a concurrent insert) still move by exactly one place.
RENUMBER_PHOTOS = """
UPDATE tourism.attraction_photos AS p SET position = ordered.rank
FROM (SELECT id, row_number() OVER (ORDER BY position, id) - 1 AS rank
      FROM tourism.attraction_photos WHERE attraction_id = $1) AS ordered
WHERE p.id = ordered.id
"""
MOVE_PHOTO = """
WITH moved AS (SELECT id, position FROM tourism.attraction_photos WHERE id = $2 AND attraction_id = $1),
     neighbour AS (SELECT p.id, p.position FROM tourism.attraction_photos p, moved
                   WHERE p.attraction_id = $1 AND p.position = moved.position + $3)
UPDATE tourism.attraction_photos AS p
SET position = CASE WHEN p.id = moved.id THEN neighbour.position ELSE moved.position END
FROM moved, neighbour WHERE p.id IN (moved.id, neighbour.id)
RETURNING p.id
"""
LIST_EVENT_SLUGS_AT = "SELECT slug FROM tourism.events WHERE attraction_id = $1"


class AttractionRow(msgspec.Struct, frozen=True, kw_only=True):
    """Every stored column, as the service writes them."""

    slug: str
    name: dict[str, str]
    summary: dict[str, str]
    description: dict[str, str]
    category: str
    commune_code: int | None
    commune_name: str | None
    commune_dataset_version: str | None
    lat: float
    lng: float
    coord_accuracy: str
    opening_hours: OpeningHours
    fees: list[Fee]
    accessibility: dict[str, str]
    tips: dict[str, str]
    best_season: dict[str, str]
    verified_on: date | None
    source: str | None
    status: str

    def values(self) -> tuple:
        return (
            self.slug,
            self.name,
            self.summary,
            self.description,
            self.category,
            self.commune_code,
            self.commune_name,
            self.commune_dataset_version,
            self.lat,
            self.lng,
            self.coord_accuracy,
            self.opening_hours,
            self.fees,
            self.accessibility,
            self.tips,
            self.best_season,
            self.verified_on,
            self.source,
            self.status,
        )


def _attraction(record: asyncpg.Record, photos: list[Photo] | None = None) -> Attraction:
    attraction = msgspec.convert(dict(record), Attraction)
    return msgspec.structs.replace(attraction, photos=photos) if photos else attraction


async def _with_photos(connection: asyncpg.Connection, records: Sequence[asyncpg.Record]) -> list[Attraction]:
    photos = await list_photos(connection, [record["id"] for record in records])
    return [_attraction(record, photos.get(record["id"])) for record in records]


async def get_attraction(
    connection: asyncpg.Connection, slug: str, *, include_drafts: bool = False
) -> Attraction | None:
    """The attraction with this slug and its photos; drafts only when asked."""
    record = await connection.fetchrow(GET_BY_SLUG, slug, include_drafts)
    return None if record is None else (await _with_photos(connection, [record]))[0]


async def get_attraction_for_update(connection: asyncpg.Connection, slug: str) -> Attraction | None:
    """The attraction, row-locked until the transaction ends."""
    record = await connection.fetchrow(GET_FOR_UPDATE, slug)
    return None if record is None else _attraction(record)


async def list_attractions(
    connection: asyncpg.Connection,
    *,
    status: str | None = "published",
    category: str | None = None,
    commune_code: int | None = None,
    after_slug: str | None = None,
    limit: int = 50,
) -> list[Attraction]:
    """Attractions by slug order after `after_slug`, filtered; status None means every status."""
    records = await connection.fetch(LIST, status, category, commune_code, after_slug, limit)
    return await _with_photos(connection, records)


async def list_attractions_by_slugs(
    connection: asyncpg.Connection, slugs: Sequence[str], *, include_drafts: bool = False
) -> list[Attraction]:
    """The attractions with these slugs (missing ones are left out)."""
    records = await connection.fetch(LIST_BY_SLUGS, list(slugs), include_drafts)
    return await _with_photos(connection, records)


async def list_stale_attractions(
    connection: asyncpg.Connection, verified_before: date, limit: int = 200
) -> list[Attraction]:
    """Attractions never verified or last verified before the date, oldest first."""
    return [_attraction(record) for record in await connection.fetch(LIST_STALE, verified_before, limit)]


async def insert_attraction(connection: asyncpg.Connection, row: AttractionRow) -> Attraction:
    """Insert a row; a taken slug raises asyncpg.UniqueViolationError."""
    return _attraction(await connection.fetchrow(INSERT, *row.values()))


async def update_attraction(connection: asyncpg.Connection, attraction_id: int, row: AttractionRow) -> Attraction:
    """Overwrite every column of the attraction with the row's values."""
    return _attraction(await connection.fetchrow(UPDATE, attraction_id, *row.values()))


async def list_attraction_communes(connection: asyncpg.Connection) -> list[tuple[int, str]]:
    """(code, name) of the communes that have published attractions, by name."""
    return [(record["commune_code"], record["commune_name"]) for record in await connection.fetch(LIST_COMMUNES)]


async def list_photos(connection: asyncpg.Connection, attraction_ids: Sequence[int]) -> dict[int, list[Photo]]:
    """Photos per attraction id, in display order."""
    by_attraction: dict[int, list[Photo]] = {}
    for record in await connection.fetch(LIST_PHOTOS, list(attraction_ids)):
        photo = msgspec.convert(dict(record), Photo)
        by_attraction.setdefault(record["attraction_id"], []).append(photo)
    return by_attraction


async def insert_photo(
    connection: asyncpg.Connection,
    attraction_id: int,
    key: str,
    urls: dict[str, str],
    caption: dict[str, str],
    *,
    alt: dict[str, str],
    sizes: dict[str, tuple[int, int]],
) -> Photo:
    """Add a photo after the attraction's others."""
    record = await connection.fetchrow(INSERT_PHOTO, attraction_id, key, urls, caption, alt, sizes)
    return msgspec.convert(dict(record), Photo)


async def count_photos(connection: asyncpg.Connection, attraction_id: int) -> int:
    """How many photos the attraction has."""
    return int(await connection.fetchval(COUNT_PHOTOS, attraction_id))


async def update_photo_alt(
    connection: asyncpg.Connection, attraction_id: int, photo_id: int, alt: dict[str, str]
) -> Photo | None:
    """Replace a photo's alt text; None when the attraction has no such photo."""
    record = await connection.fetchrow(UPDATE_PHOTO_ALT, photo_id, attraction_id, alt)
    return None if record is None else msgspec.convert(dict(record), Photo)


async def move_photo(connection: asyncpg.Connection, attraction_id: int, photo_id: int, step: int) -> bool:
    """Swap the photo with the one before (step -1) or after (+1); False when there is none there."""
    await connection.execute(RENUMBER_PHOTOS, attraction_id)
    return bool(await connection.fetch(MOVE_PHOTO, attraction_id, photo_id, step))


async def delete_photo(
    connection: asyncpg.Connection, attraction_id: int, photo_id: int
) -> tuple[str, list[str]] | None:
    """Remove one of the attraction's photos: its storage key and size names, or None when it had no such photo."""
    record = await connection.fetchrow(DELETE_PHOTO, photo_id, attraction_id)
    return None if record is None else (record["key"], list(record["urls"]))


async def list_event_slugs_at(connection: asyncpg.Connection, attraction_id: int) -> list[str]:
    """Slugs of the events placed at the attraction (they show its point and name, so they change with it)."""
    return [record["slug"] for record in await connection.fetch(LIST_EVENT_SLUGS_AT, attraction_id)]


# One more scan of the attraction's poster today (in the province's time zone); nothing for an unknown slug.
RECORD_POSTER_SCAN = """
INSERT INTO tourism.poster_scans AS s (attraction_id, day, scans)
SELECT a.id, (now() AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, 1 FROM tourism.attractions a WHERE a.slug = $1
ON CONFLICT (attraction_id, day) DO UPDATE SET scans = s.scans + 1
"""


async def record_poster_scan(connection: asyncpg.Connection, slug: str) -> None:
    """Count one scan of this attraction's poster QR code."""
    await connection.execute(RECORD_POSTER_SCAN, slug)


# When the open data was first published and last changed. `modified` is the last change of any row, drafts
# too: a row taken off the feed leaves no other trace, so the date may be later than the feed's last real
# change but never earlier.
OPEN_DATA_DATES = """
SELECT min(coalesce(published_at, created_at)) FILTER (WHERE status = 'published') AS issued,
       max(updated_at) AS modified
FROM tourism.attractions
"""


async def get_open_data_dates(connection: asyncpg.Connection) -> asyncpg.Record:
    """The feed's first publication and last change (`issued`, `modified`; None when it is empty)."""
    return await connection.fetchrow(OPEN_DATA_DATES)
