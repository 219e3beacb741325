"""Event rules: places, date ranges, yearly recurrence, month calendars and search indexing."""

import calendar
from datetime import date, datetime, timedelta

import asyncpg
import msgspec

from i18n.text import clean_localized
from search.changes import record_event
from search.outbox import enqueue
from tourism.errors import Conflict, InvalidInput, NotFound
from tourism.events import repository
from tourism.events.models import Event, EventCreate, EventUpdate, Occurrence

__all__ = [
    "get_open_data_dates",
    "MAX_EVENT_DAYS",
    "create_event",
    "update_event",
    "get_event",
    "list_events",
    "occurrences",
    "upcoming_at_attraction",
    "month_occurrences",
    "upcoming",
    "month_grid",
]

# A festival lasts days or weeks; a longer range is almost always a typo in the year.
MAX_EVENT_DAYS = 120
LOCALIZED_FIELDS = ("name", "summary", "description", "calendar_note", "venue")
# An attraction's page lists its events for a year ahead, so every yearly festival there shows once.
UPCOMING_DAYS = 366
UPCOMING_LIMIT = 6
"""How many coming events the events page lists under its month (a quiet month must not look empty)."""


async def _row(connection: asyncpg.Connection, values: dict[str, object]) -> repository.EventRow:
    for field in LOCALIZED_FIELDS:
        try:
            values[field] = clean_localized(values[field], max_length=200 if field == "name" else 10_000)  # type: ignore[arg-type]
        except ValueError as error:
            raise InvalidInput(f"{field}: {error}", code="text_too_long", details={"field": field}) from None
    if not values["name"]:
        raise InvalidInput("an event needs a name in at least one language", code="name_required")
    starts_on, ends_on = values["starts_on"], values["ends_on"]
    if ends_on < starts_on:  # type: ignore[operator]
        raise InvalidInput("the event ends before it starts", code="dates_reversed")
    if (ends_on - starts_on).days > MAX_EVENT_DAYS:  # type: ignore[operator]
        raise InvalidInput(f"an event may last at most {MAX_EVENT_DAYS} days", code="event_too_long")
    if (values["lat"] is None) != (values["lng"] is None):
        raise InvalidInput("give both lat and lng, or neither", code="point_incomplete")
    slug = values.pop("attraction_slug")
    attraction_id = None
    if slug is not None:
        attraction_id = await repository.get_attraction_id(connection, slug)  # type: ignore[arg-type]
        if attraction_id is None:
            raise InvalidInput(f"no attraction {slug!r}", code="unknown_attraction", details={"attraction_slug": slug})
    values["attraction_id"] = attraction_id
    return msgspec.convert(values, repository.EventRow)


def _event_data(event: Event) -> dict[str, object]:
    # What webhooks and the changes feed say about it: enough to fetch it, nothing of a draft's text.
    return {"id": event.id, "slug": event.slug, "status": event.status}


async def get_event(connection: asyncpg.Connection, slug: str, *, include_drafts: bool = False) -> Event:
    """The event; NotFound for unknown slugs and, for visitors, drafts."""
    event = await repository.get_event(connection, slug, include_drafts=include_drafts)
    if event is None:
        raise NotFound(f"no event {slug!r}", code="event_not_found")
    return event


async def create_event(connection: asyncpg.Connection, data: EventCreate) -> Event:
    """Create an event and queue it for search."""
    row = await _row(connection, msgspec.structs.asdict(data))
    try:
        async with connection.transaction():
            await repository.insert_event(connection, row)
    except asyncpg.UniqueViolationError:
        raise Conflict(f"the slug {data.slug!r} is taken", code="slug_taken", details={"slug": data.slug}) from None
    await enqueue(connection, [f"event:{row.slug}"])
    event = await get_event(connection, row.slug, include_drafts=True)
    await record_event(connection, "event.created", _event_data(event))
    return event


async def update_event(connection: asyncpg.Connection, slug: str, data: EventUpdate) -> Event:
    """Change the given fields of an event and re-index it (under its new id if the slug changed)."""
    # Row-locked: the given fields are merged into the current row; a second save waits for the first.
    found = await repository.get_event_for_update(connection, slug)
    if found is None:
        raise NotFound(f"no event {slug!r}", code="event_not_found")
    current, _, own_lat, own_lng = found
    values: dict[str, object] = {
        field: getattr(current, field)
        for field in (
            "slug",
            "name",
            "summary",
            "description",
            "starts_on",
            "ends_on",
            "recurrence",
            "date_precision",
            "calendar_note",
            "attraction_slug",
            "venue",
            "source",
            "status",
        )
    }
    values.update(lat=own_lat, lng=own_lng)
    values.update({field: value for field, value in msgspec.structs.asdict(data).items() if value is not msgspec.UNSET})
    row = await _row(connection, values)
    try:
        async with connection.transaction():
            await repository.update_event(connection, current.id, row)
    except asyncpg.UniqueViolationError:
        raise Conflict(f"the slug {row.slug!r} is taken", code="slug_taken", details={"slug": row.slug}) from None
    await enqueue(connection, [current.document_id, f"event:{row.slug}"])
    event = await get_event(connection, row.slug, include_drafts=True)
    await record_event(connection, "event.updated", _event_data(event))
    return event


async def list_events(connection: asyncpg.Connection, *, include_drafts: bool = False) -> list[Event]:
    """Every event (published only unless asked), by stored start date."""
    return await repository.list_events(connection, include_drafts=include_drafts)


def _in_year(event: Event, year: int) -> Occurrence:
    """A yearly event moved to `year`, keeping its length (29 February becomes 28 in other years)."""
    length = event.ends_on - event.starts_on
    day = min(event.starts_on.day, calendar.monthrange(year, event.starts_on.month)[1])
    starts_on = date(year, event.starts_on.month, day)
    return Occurrence(event=event, starts_on=starts_on, ends_on=starts_on + length)


def occurrences(events: list[Event], start: date, end: date) -> list[Occurrence]:
    """Every occurrence overlapping [start, end]; yearly events recur from their first year on."""
    found: list[Occurrence] = []
    for event in events:
        if event.recurrence == "yearly":
            # The year before `start` too: a window that starts in December can reach into January.
            for year in range(max(start.year - 1, event.starts_on.year), end.year + 1):
                occurrence = _in_year(event, year)
                if occurrence.ends_on >= start and occurrence.starts_on <= end:
                    found.append(occurrence)
        elif event.ends_on >= start and event.starts_on <= end:
            found.append(Occurrence(event=event, starts_on=event.starts_on, ends_on=event.ends_on))
    found.sort(key=lambda item: (item.starts_on, item.event.slug))
    return found


async def upcoming_at_attraction(connection: asyncpg.Connection, attraction_slug: str, today: date) -> list[Occurrence]:
    """The published events at an attraction within UPCOMING_DAYS of `today`, soonest first."""
    at_place = [event for event in await list_events(connection) if event.attraction_slug == attraction_slug]
    return occurrences(at_place, today, today + timedelta(days=UPCOMING_DAYS))


def upcoming(events: list[Event], today: date, limit: int = UPCOMING_LIMIT) -> list[Occurrence]:
    """The next occurrences from `today` on (ongoing ones included), soonest first, whatever the month shown."""
    return occurrences(events, today, today + timedelta(days=UPCOMING_DAYS))[:limit]


def month_occurrences(events: list[Event], year: int, month: int) -> list[Occurrence]:
    """Occurrences that touch a calendar month."""
    last_day = calendar.monthrange(year, month)[1]
    return occurrences(events, date(year, month, 1), date(year, month, last_day))


def month_grid(year: int, month: int) -> list[list[date | None]]:
    """Weeks of the month, Monday first, with None outside the month (for a calendar table)."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[day if day.month == month else None for day in week] for week in weeks]


async def get_open_data_dates(connection: asyncpg.Connection) -> tuple[datetime | None, datetime | None]:
    """When the open data feeds were first published and last changed (for the open data catalogue)."""
    row = await repository.get_open_data_dates(connection)
    return row["issued"], row["modified"]
