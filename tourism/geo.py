"""Straight-line distances and the nearest-neighbour day plan of a trip."""

import math
from collections.abc import Sequence

import msgspec

__all__ = ["EARTH_RADIUS_M", "distance_m", "parse_point", "Stop", "Leg", "DayPlan", "plan_day", "ROAD_FACTOR"]

EARTH_RADIUS_M = 6_371_008.8
# Roads are longer than straight lines; 1.3 is the usual rough factor for rural networks.
ROAD_FACTOR = 1.3
# Average speeds on the province's roads, stops and towns included (rough, on purpose).
MOTORBIKE_KMH = 35.0
CAR_KMH = 45.0


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres (haversine on a spherical Earth)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lng2 - lng1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def _coordinate(text: str | None, limit: float) -> float | None:
    value = (text or "").strip().replace(",", ".")
    try:
        number = float(value)
    except ValueError:
        return None
    return number if -limit <= number <= limit else None


def parse_point(lat: str | None, lng: str | None) -> tuple[float, float] | None:
    """A point typed as text ("11,6" or "11.6"); None when either is blank, not a number or out of range."""
    latitude, longitude = _coordinate(lat, 90.0), _coordinate(lng, 180.0)
    return None if latitude is None or longitude is None else (latitude, longitude)


class Stop(msgspec.Struct, frozen=True, kw_only=True):
    """A place to visit: its document id ("attraction:po-klong-garai") and its point."""

    id: str
    lat: float
    lng: float


class Leg(msgspec.Struct, frozen=True, kw_only=True):
    """Getting to `to_id` from the previous stop (or the start)."""

    to_id: str
    distance_m: float
    motorbike_minutes: int
    car_minutes: int


class DayPlan(msgspec.Struct, frozen=True, kw_only=True):
    """Stops in visiting order with the leg that reaches each, and the totals."""

    order: list[str]
    legs: list[Leg]
    total_distance_m: float
    total_motorbike_minutes: int
    total_car_minutes: int


def _minutes(straight_m: float, speed_kmh: float) -> int:
    return max(1, round(straight_m * ROAD_FACTOR / 1000 / speed_kmh * 60)) if straight_m > 0 else 0


def plan_day(stops: Sequence[Stop], start: tuple[float, float] | None = None) -> DayPlan:
    """Order stops by nearest neighbour from `start` (a point), or from the first stop when None.

    Ties go to the stop saved first, so the plan is stable.
    """
    remaining = list(stops)
    if not remaining:
        return DayPlan(order=[], legs=[], total_distance_m=0.0, total_motorbike_minutes=0, total_car_minutes=0)
    if start is None:
        first = remaining.pop(0)
        here = (first.lat, first.lng)
        legs = [Leg(to_id=first.id, distance_m=0.0, motorbike_minutes=0, car_minutes=0)]
    else:
        here = start
        legs = []
    while remaining:
        distances = [distance_m(here[0], here[1], stop.lat, stop.lng) for stop in remaining]
        index = min(range(len(remaining)), key=lambda i: (distances[i], i))
        nearest = remaining.pop(index)
        meters = distances[index]
        legs.append(
            Leg(
                to_id=nearest.id,
                distance_m=meters,
                motorbike_minutes=_minutes(meters, MOTORBIKE_KMH),
                car_minutes=_minutes(meters, CAR_KMH),
            )
        )
        here = (nearest.lat, nearest.lng)
    return DayPlan(
        order=[leg.to_id for leg in legs],
        legs=legs,
        total_distance_m=sum(leg.distance_m for leg in legs),
        total_motorbike_minutes=sum(leg.motorbike_minutes for leg in legs),
        total_car_minutes=sum(leg.car_minutes for leg in legs),
    )
