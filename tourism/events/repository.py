"""SQL for events; nothing else lives here."""

from datetime import date

import asyncpg
import msgspec

from tourism.events.models import Event

__all__ = [
    "EventRow",
    "get_event",
    "get_event_for_update",
    "list_events",
    "list_events_by_slugs",
    "insert_event",
    "update_event",
    "get_attraction_id",
    "get_open_data_dates",
]

# The event's own point wins; otherwise the attraction's, so a festival at a tower maps to the tower.
GET_BY_SLUG = """
SELECT e.id, e.slug, e.name, e.summary, e.description, e.starts_on, e.ends_on, e.recurrence,
       e.date_precision, e.calendar_note, a.slug AS attraction_slug, a.name AS attraction_name, e.venue,
       coalesce(e.lat, a.lat) AS lat, coalesce(e.lng, a.lng) AS lng, e.source, e.status, e.created_at,
       e.updated_at
FROM tourism.events e LEFT JOIN tourism.attractions a ON a.id = e.attraction_id
WHERE e.slug = $1 AND ($2 OR e.status = 'published')"""
# Also the stored attraction id and the event's own point, which an update keeps unless it changes them.
GET_FOR_UPDATE = """
SELECT e.id, e.slug, e.name, e.summary, e.description, e.starts_on, e.ends_on, e.recurrence,
       e.date_precision, e.calendar_note, a.slug AS attraction_slug, a.name AS attraction_name, e.venue,
       coalesce(e.lat, a.lat) AS lat, coalesce(e.lng, a.lng) AS lng, e.source, e.status, e.created_at,
       e.updated_at, e.attraction_id, e.lat AS own_lat, e.lng AS own_lng
FROM tourism.events e LEFT JOIN tourism.attractions a ON a.id = e.attraction_id
WHERE e.slug = $1 FOR UPDATE OF e"""
# Yearly events are returned whatever their stored year; the service places them in the window.
LIST = """
SELECT e.id, e.slug, e.name, e.summary, e.description, e.starts_on, e.ends_on, e.recurrence,
       e.date_precision, e.calendar_note, a.slug AS attraction_slug, a.name AS attraction_name, e.venue,
       coalesce(e.lat, a.lat) AS lat, coalesce(e.lng, a.lng) AS lng, e.source, e.status, e.created_at,
       e.updated_at
FROM tourism.events e LEFT JOIN tourism.attractions a ON a.id = e.attraction_id

WHERE ($1 OR e.status = 'published')
  AND (e.recurrence = 'yearly' OR $2::date IS NULL OR e.ends_on >= $2)
  AND (e.recurrence = 'yearly' OR $3::date IS NULL OR e.starts_on <= $3)
ORDER BY e.starts_on, e.slug
LIMIT $4
"""
LIST_BY_SLUGS = """
SELECT e.id, e.slug, e.name, e.summary, e.description, e.starts_on, e.ends_on, e.recurrence,
       e.date_precision, e.calendar_note, a.slug AS attraction_slug, a.name AS attraction_name, e.venue,
       coalesce(e.lat, a.lat) AS lat, coalesce(e.lng, a.lng) AS lng, e.source, e.status, e.created_at,
       e.updated_at
FROM tourism.events e LEFT JOIN tourism.attractions a ON a.id = e.attraction_id
WHERE e.slug = ANY($1::text[]) AND ($2 OR e.status = 'published')"""
GET_ATTRACTION_ID = "SELECT id FROM tourism.attractions WHERE slug = $1"
INSERT = """
INSERT INTO tourism.events (slug, name, summary, description, starts_on, ends_on, recurrence, date_precision,
                            calendar_note, attraction_id, venue, lat, lng, source, status)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
RETURNING id
"""
UPDATE = """
UPDATE tourism.events SET slug = $2, name = $3, summary = $4, description = $5, starts_on = $6, ends_on = $7,
    recurrence = $8, date_precision = $9, calendar_note = $10, attraction_id = $11, venue = $12, lat = $13,
    lng = $14, source = $15, status = $16, updated_at = now()
WHERE id = $1
"""


class EventRow(msgspec.Struct, frozen=True, kw_only=True):
    """Every stored column, as the service writes them."""

    slug: str
    name: dict[str, str]
    summary: dict[str, str]
    description: dict[str, str]
    starts_on: date
    ends_on: date
    recurrence: str
    date_precision: str
    calendar_note: dict[str, str]
    attraction_id: int | None
    venue: dict[str, str]
    lat: float | None
    lng: float | None
    source: str | None
    status: str

    def values(self) -> tuple:
        return tuple(getattr(self, field) for field in self.__struct_fields__)


def _event(record: asyncpg.Record) -> Event:
    return msgspec.convert(dict(record), Event)


async def get_event(connection: asyncpg.Connection, slug: str, *, include_drafts: bool = False) -> Event | None:
    """The event with this slug; drafts only when asked."""
    record = await connection.fetchrow(GET_BY_SLUG, slug, include_drafts)
    return None if record is None else _event(record)


async def get_event_for_update(
    connection: asyncpg.Connection, slug: str
) -> tuple[Event, int | None, float | None, float | None] | None:
    """The event, row-locked, with its stored attraction id and own point (not the attraction's)."""
    record = await connection.fetchrow(GET_FOR_UPDATE, slug)
    if record is None:
        return None
    return _event(record), record["attraction_id"], record["own_lat"], record["own_lng"]


async def list_events(
    connection: asyncpg.Connection,
    *,
    start: date | None = None,
    end: date | None = None,
    include_drafts: bool = False,
    limit: int = 500,
) -> list[Event]:
    """Events overlapping [start, end] plus every yearly event, by start date."""
    return [_event(record) for record in await connection.fetch(LIST, include_drafts, start, end, limit)]


async def list_events_by_slugs(
    connection: asyncpg.Connection, slugs: list[str], *, include_drafts: bool = False
) -> list[Event]:
    """The events with these slugs (missing ones left out)."""
    return [_event(record) for record in await connection.fetch(LIST_BY_SLUGS, slugs, include_drafts)]


async def get_attraction_id(connection: asyncpg.Connection, slug: str) -> int | None:
    """The id of the attraction with this slug, draft or not."""
    return await connection.fetchval(GET_ATTRACTION_ID, slug)


async def insert_event(connection: asyncpg.Connection, row: EventRow) -> int:
    """Insert a row and return its id; a taken slug raises asyncpg.UniqueViolationError."""
    return await connection.fetchval(INSERT, *row.values())


async def update_event(connection: asyncpg.Connection, event_id: int, row: EventRow) -> None:
    """Overwrite every column of the event with the row's values."""
    await connection.execute(UPDATE, event_id, *row.values())


# When the open data was first published and last changed. `modified` is the last change of any row, drafts
# too: a row taken off the feed leaves no other trace, so the date may be later than the feed's last real
# change but never earlier.
OPEN_DATA_DATES = """
SELECT min(created_at) FILTER (WHERE status = 'published') AS issued, max(updated_at) AS modified
FROM tourism.events
"""


async def get_open_data_dates(connection: asyncpg.Connection) -> asyncpg.Record:
    """The feed's first publication and last change (`issued`, `modified`; None when it is empty)."""
    return await connection.fetchrow(OPEN_DATA_DATES)
