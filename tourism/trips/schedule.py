"""Clock times for a day plan: when the visitor reaches and leaves each stop, and whether it is open then.

Travel takes the leg's rough road time at the stated average speed (tourism.geo: straight line x ROAD_FACTOR,
35 km/h by motorbike, 45 km/h by car); each stop takes the usual visit for its category. The plan does not wait
for a closed stop to open: it warns, and the visitor decides.
"""

import re
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Literal

import msgspec

from i18n import TIME_ZONE
from tourism.errors import InvalidInput
from tourism.geo import CAR_KMH, MOTORBIKE_KMH
from tourism.hours import OpeningHours, opening_status
from tourism.trips.models import PlannedStop, TripPlan

__all__ = [
    "DEFAULT_START",
    "MODES",
    "SPEEDS_KMH",
    "VISIT_MINUTES",
    "DEFAULT_VISIT_MINUTES",
    "Mode",
    "HoursOnArrival",
    "StopFacts",
    "TimedStop",
    "TimedPlan",
    "parse_start_time",
    "parse_day",
    "ScheduleOptions",
    "read_schedule_options",
    "schedule_plan",
]

DEFAULT_START = time(8, 0)
Mode = Literal["motorbike", "car"]
MODES: tuple[Mode, ...] = ("motorbike", "car")
SPEEDS_KMH: dict[str, float] = {"motorbike": MOTORBIKE_KMH, "car": CAR_KMH}

# A usual visit, in minutes, by attraction category: an editor's rough guide, shown as such on the page.
VISIT_MINUTES: dict[str, int] = {
    "beach": 120,
    "heritage": 60,
    "nature": 90,
    "craft_village": 60,
    "vineyard": 60,
    "viewpoint": 30,
    "museum": 60,
    "food": 45,
    "landmark": 30,
    "scenic_route": 60,
    "religious": 45,
    "market": 45,
}
# Experiences (a pottery class, a boat trip) and anything without a category.
DEFAULT_VISIT_MINUTES = 90

HoursOnArrival = Literal["open", "always", "closes_during_visit", "closed", "unknown"]

_CLOCK_TEXT = re.compile(r"^\s*([01]?\d|2[0-3])\s*[:.hH]\s*([0-5]\d)\s*$")


class StopFacts(msgspec.Struct, frozen=True, kw_only=True):
    """What the schedule needs to know about a stop besides its point: its hours and its category."""

    hours: OpeningHours | None = None
    category: str | None = None


class TimedStop(msgspec.Struct, frozen=True, kw_only=True):
    """A stop of the plan with its clock times and what its opening hours say on arrival."""

    number: int
    planned: PlannedStop
    travel_minutes: int
    visit_minutes: int
    arrives_at: datetime
    leaves_at: datetime
    hours: HoursOnArrival
    hours_verified: bool = False
    opens_at: datetime | None = None
    """While closed on arrival: the next opening the same day, None when it does not open again that day."""
    closes_at: datetime | None = None
    """When it closes before the visit ends ("closes_during_visit")."""


class TimedPlan(msgspec.Struct, frozen=True, kw_only=True):
    """The day plan with times from the chosen start."""

    day: date
    starts_at: datetime
    ends_at: datetime
    mode: Mode
    speed_kmh: float
    stops: list[TimedStop]

    @property
    def warnings(self) -> int:
        """How many stops are closed on arrival."""
        return sum(1 for stop in self.stops if stop.hours == "closed")


def parse_start_time(text: str | None) -> time | None:
    """A start time typed as "08:00", "8:00", "8.30" or "8h30"; blank gives None (the default); else ValueError."""
    if text is None or not text.strip():
        return None
    match = _CLOCK_TEXT.match(text)
    if match is None:
        raise ValueError(f"{text!r} is not a time of day like 08:00")
    return time(int(match.group(1)), int(match.group(2)))


def parse_day(text: str | None) -> date | None:
    """A day typed as an ISO date (what <input type=date> sends); blank gives None (today); else ValueError."""
    if text is None or not text.strip():
        return None
    return date.fromisoformat(text.strip())


class ScheduleOptions(msgspec.Struct, frozen=True, kw_only=True):
    """The day, the start time and the way of travelling a visitor chose."""

    day: date
    start_time: time = DEFAULT_START
    mode: Mode = "motorbike"


def read_schedule_options(at: str | None, day: str | None, mode: str | None, today: date) -> ScheduleOptions:
    """The options as typed in the plan form or the API's query (blank means the default); InvalidInput else."""
    try:
        start_time = parse_start_time(at) or DEFAULT_START
        chosen_day = parse_day(day) or today
    except ValueError:
        raise InvalidInput("the start time or day was not understood", code="bad_start_time") from None
    if mode not in (None, "", *MODES):
        raise InvalidInput("travel by motorbike or car", code="bad_travel_mode")
    return ScheduleOptions(day=chosen_day, start_time=start_time, mode="car" if mode == "car" else "motorbike")


def _travel_minutes(planned: PlannedStop, mode: Mode) -> int:
    return planned.car_minutes if mode == "car" else planned.motorbike_minutes


def _hours_on_arrival(
    hours: OpeningHours | None, arrives_at: datetime, leaves_at: datetime
) -> tuple[HoursOnArrival, datetime | None, datetime | None]:
    if hours is None or not (hours.known or hours.closures):
        return "unknown", None, None
    status = opening_status(hours, arrives_at)
    if status.always_open:
        return "always", None, None
    if not status.is_open:
        same_day = status.opens_at if status.opens_at and status.opens_at.date() == arrives_at.date() else None
        return "closed", same_day, None
    if status.closes_at is not None and status.closes_at < leaves_at:
        return "closes_during_visit", None, status.closes_at
    return "open", None, None


def schedule_plan(
    plan: TripPlan, day: date, start: time, facts: Mapping[str, StopFacts], mode: Mode = "motorbike"
) -> TimedPlan:
    """Clock times for every stop of `plan`, leaving the start at `start` on `day` (local time)."""
    starts_at = datetime.combine(day, start, tzinfo=TIME_ZONE)
    here = starts_at
    timed: list[TimedStop] = []
    for number, planned in enumerate(plan.stops, start=1):
        stop_facts = facts.get(planned.stop.document_id, StopFacts())
        travel = _travel_minutes(planned, mode)
        visit = VISIT_MINUTES.get(stop_facts.category or "", DEFAULT_VISIT_MINUTES)
        arrives_at = here + timedelta(minutes=travel)
        leaves_at = arrives_at + timedelta(minutes=visit)
        state, opens_at, closes_at = _hours_on_arrival(stop_facts.hours, arrives_at, leaves_at)
        timed.append(
            TimedStop(
                number=number,
                planned=planned,
                travel_minutes=travel,
                visit_minutes=visit,
                arrives_at=arrives_at,
                leaves_at=leaves_at,
                hours=state,
                hours_verified=bool(stop_facts.hours and stop_facts.hours.verified),
                opens_at=opens_at,
                closes_at=closes_at,
            )
        )
        here = leaves_at
    return TimedPlan(
        day=day, starts_at=starts_at, ends_at=here, mode=mode, speed_kmh=SPEEDS_KMH[mode], stops=timed
    )
