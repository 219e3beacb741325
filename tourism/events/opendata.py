"""Open data and search-engine markup of events: GeoJSON, CSV and schema.org JSON-LD."""

from collections.abc import Iterable
from typing import Any

from i18n import localize
from tourism.events.models import Event
from tourism.opendata import csv_text, page_url

__all__ = ["events_geojson", "events_csv", "event_jsonld"]


def events_geojson(events: Iterable[Event], base_url: str) -> dict[str, Any]:
    """Events with a place as Point features ([longitude, latitude]); events without one have no geometry."""
    features = []
    for event in events:
        has_point = event.lat is not None and event.lng is not None
        features.append(
            {
                "type": "Feature",
                "id": event.slug,
                "geometry": {"type": "Point", "coordinates": [event.lng, event.lat]} if has_point else None,
                "properties": {
                    "slug": event.slug,
                    "name": event.name,
                    "starts_on": event.starts_on.isoformat(),
                    "ends_on": event.ends_on.isoformat(),
                    "recurrence": event.recurrence,
                    "date_precision": event.date_precision,
                    "attraction": event.attraction_slug,
                    "url": page_url(base_url, "vi", event.url_path),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def events_csv(events: Iterable[Event]) -> str:
    """One row per event."""
    header = [
        "slug",
        "name_vi",
        "name_en",
        "starts_on",
        "ends_on",
        "recurrence",
        "date_precision",
        "attraction",
        "latitude",
        "longitude",
    ]
    return csv_text(
        header,
        (
            [
                e.slug,
                e.name.get("vi", ""),
                e.name.get("en", ""),
                e.starts_on.isoformat(),
                e.ends_on.isoformat(),
                e.recurrence,
                e.date_precision,
                e.attraction_slug or "",
                "" if e.lat is None else e.lat,
                "" if e.lng is None else e.lng,
            ]
            for e in events
        ),
    )


def event_jsonld(
    event: Event, locale: str, base_url: str, starts_on: Any = None, ends_on: Any = None
) -> dict[str, Any]:
    """schema.org Event for one occurrence (the stored dates unless given)."""
    place_name = localize(event.venue, locale) or localize(event.attraction_name, locale)
    place: dict[str, Any] = {
        "@type": "Place",
        "name": place_name or "Khánh Hòa",
        "address": {"@type": "PostalAddress", "addressRegion": "Khánh Hòa", "addressCountry": "VN"},
    }
    if event.lat is not None and event.lng is not None:
        place["geo"] = {"@type": "GeoCoordinates", "latitude": event.lat, "longitude": event.lng}
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": localize(event.name, locale),
        "startDate": (starts_on or event.starts_on).isoformat(),
        "endDate": (ends_on or event.ends_on).isoformat(),
        "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
        "eventStatus": "https://schema.org/EventScheduled",
        "location": place,
        "url": page_url(base_url, locale, event.url_path),
    }
    description = localize(event.summary, locale) or localize(event.description, locale)
    if description:
        data["description"] = description
    return data
