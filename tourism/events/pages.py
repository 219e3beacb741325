"""Event pages: a month calendar and one page per event."""

import re
from datetime import date, timedelta
from typing import Annotated, Any

import asyncpg
from babel.dates import format_date as babel_format_date
from litestar import Controller, Response, Router, get
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from tourism import clock
from tourism.errors import InvalidInput
from tourism.events import service
from tourism.events.opendata import event_jsonld
from tourism.webutil import PageRenderer, base_url, json_ld, weekday_names

__all__ = ["router", "EventPages", "parse_month"]

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None, today: date) -> tuple[int, int]:
    """(year, month) from "YYYY-MM", the current month when blank."""
    if not value:
        return today.year, today.month
    match = MONTH.match(value)
    if not match or not 1 <= int(match.group(2)) <= 12 or not 1900 <= int(match.group(1)) <= 2200:
        raise InvalidInput("month must look like 2026-10", code="invalid_month")
    return int(match.group(1)), int(match.group(2))


def _shift(year: int, month: int, delta: int) -> str:
    index = year * 12 + month - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


class EventPages(Controller):
    """Events under /{locale}/events."""

    path = "/events"

    @get("/", name="tourism.events.calendar", opt={"read_replica": True, "public_cache": True})
    async def calendar_page(
        self,
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        month: Annotated[str | None, QueryParameter(max_length=7)] = None,
    ) -> Response:
        """A month calendar of events (yearly ones repeat), with the month's list below."""
        today = clock.local_today()
        year, month_number = parse_month(month, today)
        every_event = await service.list_events(db)
        occurrences = service.month_occurrences(every_event, year, month_number)
        days: dict[date, list[Any]] = {}
        for occurrence in occurrences:
            day = occurrence.starts_on
            while day <= occurrence.ends_on:
                days.setdefault(day, []).append(occurrence)
                day += timedelta(days=1)
        return page.render(
            "tourism/events.html",
            {
                "occurrences": occurrences,
                "upcoming": service.upcoming(every_event, today),
                "weeks": service.month_grid(year, month_number),
                "days": days,
                "today": today,
                "month_title": babel_format_date(date(year, month_number, 1), "LLLL y", locale=page.locale),
                "weekday_names": weekday_names("abbreviated", page.locale),
                "previous_month": _shift(year, month_number, -1),
                "next_month": _shift(year, month_number, 1),
            },
            headers={"cache-control": "private, no-cache"},
        )

    @get("/{slug:str}", name="tourism.events.detail", opt={"read_replica": True})
    async def event_page(
        self,
        slug: FromPath[str],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        settings: NamedDependency[Any],
    ) -> Response:
        """One event: its dates (the next occurrence for yearly ones), place and calendar file."""
        event = await service.get_event(db, slug)
        today = clock.local_today()
        upcoming = service.occurrences([event], today, today + timedelta(days=730))
        shown = upcoming[0] if upcoming else None
        starts_on, ends_on = (shown.starts_on, shown.ends_on) if shown else (event.starts_on, event.ends_on)
        return page.render(
            "tourism/event.html",
            {
                "event": event,
                "starts_on": starts_on,
                "ends_on": ends_on,
                "past": shown is None,
                "json_ld": json_ld(event_jsonld(event, page.locale, base_url(settings, page), starts_on, ends_on)),
            },
            headers={"cache-control": "private, no-cache"},
        )


router = Router(path="/", route_handlers=[EventPages])
