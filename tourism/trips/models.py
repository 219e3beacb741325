"""Trip Structs."""

from datetime import datetime
from typing import Annotated

import msgspec

from i18n import LocalizedText
from tourism.attractions.models import Latitude, Longitude

__all__ = [
    "MAX_STOPS",
    "DocumentId",
    "TripStop",
    "Trip",
    "StopAdd",
    "StopForm",
    "StopRemoveForm",
    "PlannedStop",
    "TripPlan",
    "NewTrip",
]

# A day plan is for one day; twenty stops is already more than anyone visits.
MAX_STOPS = 20
DocumentId = Annotated[str, msgspec.Meta(pattern=r"^(attraction|experience):[A-Za-z0-9_-]{1,80}$")]


class TripStop(msgspec.Struct, frozen=True, kw_only=True):
    """A saved place, with the name and point copied when it was saved."""

    document_id: str
    name: LocalizedText
    lat: float
    lng: float
    url_path: str = ""
    added_at: datetime | None = None

    @property
    def kind(self) -> str:
        return self.document_id.split(":", 1)[0]


class Trip(msgspec.Struct, frozen=True, kw_only=True):
    """A trip; the edit token is never stored or returned after creation, only its hash is kept."""

    id: int
    share_token: str
    title: str = ""
    user_id: int | None = None
    stops: list[TripStop] = []
    created_at: datetime | None = None
    updated_at: datetime | None = None


class NewTrip(msgspec.Struct, frozen=True, kw_only=True):
    """A trip just created, with the edit token its owner keeps (shown this once)."""

    trip: Trip
    edit_token: str


class StopAdd(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Save a stop. For an experience, lat/lng say roughly where it is so search can find it."""

    document_id: DocumentId
    lat: Latitude | None = None
    lng: Longitude | None = None


class StopForm(msgspec.Struct, frozen=True, kw_only=True):
    """The "save to my trip" button's form: the stop, where it was listed, and the page to go back to."""

    document_id: DocumentId
    lat: Latitude | None = None
    lng: Longitude | None = None
    next: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class StopRemoveForm(msgspec.Struct, frozen=True, kw_only=True):
    """The "remove" button's form on the trip page."""

    document_id: Annotated[str, msgspec.Meta(max_length=100)] = ""


class PlannedStop(msgspec.Struct, frozen=True, kw_only=True):
    """A stop in plan order with the leg that reaches it."""

    stop: TripStop
    distance_m: float
    motorbike_minutes: int
    car_minutes: int


class TripPlan(msgspec.Struct, frozen=True, kw_only=True):
    """The day plan: stops in nearest-neighbour order from the start, and the totals."""

    start: str
    """"first" (the first saved stop), a stop's document id, or "point"."""
    stops: list[PlannedStop]
    total_distance_m: float
    total_motorbike_minutes: int
    total_car_minutes: int
