"""Open data and search-engine markup of attractions: GeoJSON, CSV and schema.org JSON-LD."""

from collections.abc import Iterable
from typing import Any

from i18n import SUPPORTED_LOCALES, localize
from tourism.attractions.models import Attraction
from tourism.hours import WEEKDAYS
from tourism.opendata import csv_text, page_url

__all__ = ["attractions_geojson", "attractions_csv", "attraction_jsonld"]

SCHEMA_DAYS = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
}


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
                "url": page_url(base_url, "vi", attraction.url_path),
            },
        }
        for attraction in attractions
    ]
    return {"type": "FeatureCollection", "features": features}


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
    return csv_text(
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


def attraction_jsonld(attraction: Attraction, locale: str, base_url: str) -> dict[str, Any]:
    """schema.org TouristAttraction in the page's language."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "TouristAttraction",
        "name": localize(attraction.name, locale),
        "url": page_url(base_url, locale, attraction.url_path),
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
