"""Open data and search-engine markup: GeoJSON, CSV and schema.org JSON-LD for attractions and events."""

import csv
import io
from collections.abc import Iterable
from typing import Any

from i18n import SUPPORTED_LOCALES, localize
from tourism.attractions.models import Attraction
from tourism.events.models import Event
from tourism.hours import WEEKDAYS

__all__ = [
    "attractions_geojson",
    "events_geojson",
    "attractions_csv",
    "events_csv",
    "attraction_jsonld",
    "event_jsonld",
    "LICENSE_NOTE",
]

LICENSE_NOTE = "Open data of the tourism listings; points marked coord_accuracy other than 'source' are approximate."
SCHEMA_DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


def _page_url(base_url: str, locale: str, path: str) -> str:
    return f"{base_url.rstrip('/')}/{locale}{path}"


def attractions_geojson(attractions: Iterable[Attraction], base_url: str) -> dict[str, Any]:
    """A FeatureCollection of Points; coordinates are [longitude, latitude] as RFC 7946 requires."""
    features = [
        {
            "type": "Feature",
            "id": attraction.slug,
            "geometry": {"type": "Point", "coordinates": [attraction.lng, attraction.lat]},
            "properties": {
                "slug": attraction.slug,
                "name": attraction.name,
                "category": attraction.category,
                "commune_code": attraction.commune_code,
                "commune_name": attraction.commune_name,
                "commune_dataset_version": attraction.commune_dataset_version,
                "coord_accuracy": attraction.coord_accuracy,
                "verified_on": attraction.verified_on.isoformat() if attraction.verified_on else None,
                "url": _page_url(base_url, "vi", attraction.url_path),
            },
        }
        for attraction in attractions
    ]
    return {"type": "FeatureCollection", "features": features}


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
                    "url": _page_url(base_url, "vi", event.url_path),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _csv(header: list[str], rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def attractions_csv(attractions: Iterable[Attraction]) -> str:
    """One row per attraction, names in every locale as their own columns."""
    header = [
        "slug",
        *(f"name_{locale}" for locale in SUPPORTED_LOCALES),
        "category",
        "commune_code",
        "commune_name",
        "commune_dataset_version",
        "latitude",
        "longitude",
        "coord_accuracy",
        "verified_on",
    ]
    return _csv(
        header,
        (
            [
                a.slug,
                *(a.name.get(locale, "") for locale in SUPPORTED_LOCALES),
                a.category,
                a.commune_code or "",
                a.commune_name or "",
                a.commune_dataset_version or "",
                a.lat,
                a.lng,
                a.coord_accuracy,
                a.verified_on.isoformat() if a.verified_on else "",
            ]
            for a in attractions
        ),
    )


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
    return _csv(
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


def attraction_jsonld(attraction: Attraction, locale: str, base_url: str) -> dict[str, Any]:
    """schema.org TouristAttraction in the page's language."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "TouristAttraction",
        "name": localize(attraction.name, locale),
        "url": _page_url(base_url, locale, attraction.url_path),
        "geo": {"@type": "GeoCoordinates", "latitude": attraction.lat, "longitude": attraction.lng},
        "address": {
            "@type": "PostalAddress",
            "addressLocality": attraction.commune_name or "",
            "addressRegion": "Khánh Hòa",
            "addressCountry": "VN",
        },
        "isAccessibleForFree": bool(attraction.fees) and all(fee.amount_vnd == 0 for fee in attraction.fees),
    }
    description = localize(attraction.description, locale) or localize(attraction.summary, locale)
    if description:
        data["description"] = description
    if attraction.photos:
        data["image"] = [next(iter(photo.urls.values())) for photo in attraction.photos if photo.urls]
    hours = attraction.opening_hours
    if hours.always_open:
        data["openingHoursSpecification"] = [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": list(SCHEMA_DAYS.values()),
                "opens": "00:00",
                "closes": "23:59",
            }
        ]
    elif hours.weekly:
        data["openingHoursSpecification"] = [
            {
                "@type": "OpeningHoursSpecification",
                "dayOfWeek": SCHEMA_DAYS[day],
                "opens": item.opens,
                "closes": item.closes,
            }
            for day in WEEKDAYS
            for item in hours.weekly.get(day, ())  # type: ignore[call-overload]
        ]
    return data


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
        "url": _page_url(base_url, locale, event.url_path),
    }
    description = localize(event.summary, locale) or localize(event.description, locale)
    if description:
        data["description"] = description
    return data
