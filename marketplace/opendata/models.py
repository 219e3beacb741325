"""The datasets the platform publishes, each with its downloads, and their dates read from the data."""

from datetime import datetime

import msgspec

__all__ = ["N_", "LICENSE_URL", "Distribution", "DatasetSpec", "Dataset", "DATASETS"]

# Creative Commons Attribution 4.0: reuse for any purpose, naming the source.
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"


def N_(message: str) -> str:
    """Marks a message for extraction; it is translated where it is shown."""
    return message


class Distribution(msgspec.Struct, frozen=True):
    """One download of a dataset: its path under the app, its media type and the name of its format."""

    path: str
    media_type: str
    format: str


class DatasetSpec(msgspec.Struct, frozen=True, kw_only=True):
    """A dataset as published: English title and description (translated where shown), downloads."""

    key: str
    title: str
    description: str
    keywords: tuple[str, ...]
    landing_path: str
    distributions: tuple[Distribution, ...]


class Dataset(msgspec.Struct, frozen=True, kw_only=True):
    """A dataset with the dates its data says: first published and last changed (None while it is empty)."""

    spec: DatasetSpec
    issued: datetime | None
    modified: datetime | None


GEOJSON, CSV, ICALENDAR = "application/geo+json", "text/csv", "text/calendar"

# Every public feed of the platform. The indicators are the province's aggregate of each month only: the
# officials' exports (per commune, with search terms and agents) stay behind the official role.
DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        key="attractions",
        title=N_("Tourist attractions"),
        description=N_("Every published attraction of the province: names in eight languages, category, "
                       "commune, coordinates and the date its facts were last checked."),
        keywords=(N_("tourism"), N_("attractions"), N_("places")),
        landing_path="/attractions",
        distributions=(Distribution("/api/v1/attractions.geojson", GEOJSON, "GeoJSON"),
                       Distribution("/api/v1/attractions.csv", CSV, "CSV")),
    ),
    DatasetSpec(
        key="events",
        title=N_("Festivals and events"),
        description=N_("Every published festival and event: dates (yearly ones repeat), place and whether the "
                       "date is exact or follows the lunar calendar."),
        keywords=(N_("tourism"), N_("events"), N_("festivals")),
        landing_path="/events",
        distributions=(Distribution("/api/v1/events.geojson", GEOJSON, "GeoJSON"),
                       Distribution("/api/v1/events.csv", CSV, "CSV"),
                       Distribution("/api/v1/events.ics", ICALENDAR, "iCalendar")),
    ),
    DatasetSpec(
        key="indicators",
        title=N_("Province indicators by month"),
        description=N_("The province's monthly figures of the last two years: merchants, listings, OCOP "
                       "products, orders, attractions, events, QR scans and searches, for the whole province only."),
        keywords=(N_("statistics"), N_("e-commerce"), N_("tourism")),
        landing_path="/open-data",
        distributions=(Distribution("/api/v1/indicators.csv", CSV, "CSV"),),
    ),
)
