"""iCalendar (RFC 5545) feeds of events, made with the icalendar package."""

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from i18n import localize
from tourism.events.models import Event

__all__ = ["PRODUCT_ID", "calendar_bytes", "event_uid"]

PRODUCT_ID = "-//Ninh Thuan Marketplace//Tourism events//EN"
APPROXIMATE_NOTE = {
    "vi": "Ngày dự kiến theo lịch âm/Chăm; ngày chính thức do tỉnh công bố hằng năm.",
    "en": "Usual dates of a lunar/Cham-calendar event; the exact dates are announced by the province each year.",
}


def event_uid(event: Event, base_url: str) -> str:
    """A UID that stays the same across feeds and edits of anything but the slug."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"event-{event.slug}@{host}"


def _component(event: Event, locale: str, base_url: str) -> CalendarEvent:
    component = CalendarEvent()
    component.add("uid", event_uid(event, base_url))
    component.add("summary", localize(event.name, locale))
    # All-day events: DTEND is the day after the last day (exclusive end).
    component.add("dtstart", event.starts_on)
    component.add("dtend", event.ends_on + timedelta(days=1))
    stamp = event.updated_at or event.created_at or datetime.now(UTC)
    component.add("dtstamp", stamp.astimezone(UTC))
    if event.recurrence == "yearly":
        component.add("rrule", {"freq": "yearly"})
    description = [localize(event.summary, locale) or localize(event.description, locale)]
    if event.date_precision == "approximate":
        component.add("status", "TENTATIVE")
        description.append(localize(APPROXIMATE_NOTE, locale))
        if event.calendar_note:
            description.append(localize(event.calendar_note, locale))
    else:
        component.add("status", "CONFIRMED")
    text = "\n\n".join(part for part in description if part)
    if text:
        component.add("description", text)
    location = localize(event.venue, locale) or localize(event.attraction_name, locale)
    if location:
        component.add("location", location)
    if event.lat is not None and event.lng is not None:
        component.add("geo", (event.lat, event.lng))
    component.add("url", f"{base_url.rstrip('/')}/{locale}{event.url_path}")
    return component


def calendar_bytes(events: Iterable[Event], *, locale: str, base_url: str, name: str = "") -> bytes:
    """A VCALENDAR with one VEVENT per event (yearly ones carry RRULE:FREQ=YEARLY)."""
    feed = Calendar()
    feed.add("prodid", PRODUCT_ID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    if name:
        feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for event in events:
        feed.add_component(_component(event, locale, base_url))
    return feed.to_ical()
