"""Event Structs: the read model, create and update payloads, and dated occurrences."""

from datetime import date, datetime
from typing import Literal

import msgspec

from i18n import LocalizedText
from tourism.attractions.models import Latitude, Longitude, Slug, SourceText, Status

__all__ = ["Recurrence", "DatePrecision", "Event", "EventCreate", "EventUpdate", "EventForm", "Occurrence"]

Recurrence = Literal["none", "yearly"]
DatePrecision = Literal["exact", "approximate"]


class Event(msgspec.Struct, frozen=True, kw_only=True):
    """An event as stored, with its place resolved (the attraction's point when it has one)."""

    id: int
    slug: str
    name: LocalizedText
    summary: LocalizedText = {}
    description: LocalizedText = {}
    starts_on: date
    ends_on: date
    recurrence: Recurrence = "none"
    date_precision: DatePrecision = "exact"
    """"approximate": the usual Gregorian window of a lunar-calendar event, not an announced date."""
    calendar_note: LocalizedText = {}
    attraction_slug: str | None = None
    attraction_name: LocalizedText | None = None
    venue: LocalizedText = {}
    lat: float | None = None
    lng: float | None = None
    source: str | None = None
    status: Status = "draft"
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def document_id(self) -> str:
        """Its id in search."""
        return f"event:{self.slug}"

    @property
    def url_path(self) -> str:
        """Its page after the locale prefix."""
        return f"/events/{self.slug}"


class EventCreate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """What an editor sends to create an event; place it at an attraction or at a point."""

    slug: Slug
    name: LocalizedText
    starts_on: date
    ends_on: date
    summary: LocalizedText = {}
    description: LocalizedText = {}
    recurrence: Recurrence = "none"
    date_precision: DatePrecision = "exact"
    calendar_note: LocalizedText = {}
    attraction_slug: Slug | None = None
    venue: LocalizedText = {}
    lat: Latitude | None = None
    lng: Longitude | None = None
    source: SourceText | None = None
    status: Status = "draft"


class EventUpdate(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A partial update: fields left UNSET keep their value."""

    slug: Slug | msgspec.UnsetType = msgspec.UNSET
    name: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    starts_on: date | msgspec.UnsetType = msgspec.UNSET
    ends_on: date | msgspec.UnsetType = msgspec.UNSET
    summary: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    description: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    recurrence: Recurrence | msgspec.UnsetType = msgspec.UNSET
    date_precision: DatePrecision | msgspec.UnsetType = msgspec.UNSET
    calendar_note: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    attraction_slug: Slug | None | msgspec.UnsetType = msgspec.UNSET
    venue: LocalizedText | msgspec.UnsetType = msgspec.UNSET
    lat: Latitude | None | msgspec.UnsetType = msgspec.UNSET
    lng: Longitude | None | msgspec.UnsetType = msgspec.UNSET
    source: SourceText | None | msgspec.UnsetType = msgspec.UNSET
    status: Status | msgspec.UnsetType = msgspec.UNSET


class EventForm(msgspec.Struct, frozen=True, kw_only=True):
    """The editors' event form: the fields of EventCreate, every one sent, so a blank one clears the value."""

    slug: Slug
    name: LocalizedText = {}
    summary: LocalizedText = {}
    description: LocalizedText = {}
    venue: LocalizedText = {}
    calendar_note: LocalizedText = {}
    starts_on: date
    ends_on: date
    recurrence: Recurrence = "none"
    date_precision: DatePrecision = "exact"
    attraction_slug: Slug | None = None
    lat: Latitude | None = None
    lng: Longitude | None = None
    source: SourceText | None = None
    status: Status = "draft"


class Occurrence(msgspec.Struct, frozen=True, kw_only=True):
    """One dated happening of an event (a yearly event has one per year)."""

    event: Event
    starts_on: date
    ends_on: date
