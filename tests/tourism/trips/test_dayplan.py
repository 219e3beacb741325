"""The day plan: nearest neighbour from a chosen start, straight-line distances and rough travel times."""

import pytest

from tourism.geo import CAR_KMH, MOTORBIKE_KMH, ROAD_FACTOR, Stop, distance_m, plan_day
from tourism.trips.models import Trip, TripStop
from tourism.trips.service import plan_trip

# Stops on a line of longitude at the equator, so distances are easy to reason about: 1 degree ~ 111.2 km.
A = Stop(id="attraction:a", lat=0.0, lng=0.0)
B = Stop(id="attraction:b", lat=0.0, lng=0.10)
C = Stop(id="attraction:c", lat=0.0, lng=0.03)
D = Stop(id="attraction:d", lat=0.0, lng=-0.02)


def test_haversine_matches_a_known_distance() -> None:
    # Po Klong Garai to Po Rome in the demo data: 0.1038 deg of latitude (11.54 km) and 0.0595 deg of
    # longitude at 11.55 N (6.48 km) make about 13.2 km by the flat-earth estimate, good to 1% at this range.
    assert distance_m(11.6018, 108.9465, 11.498, 108.887) == pytest.approx(13_240, rel=0.01)
    assert distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=0.001)


def test_nearest_neighbour_from_the_first_stop() -> None:
    plan = plan_day([A, B, C, D])
    # From A (0): D is 0.02 away, C 0.03; after D (-0.02), C is 0.05, B 0.12; then B.
    assert plan.order == ["attraction:a", "attraction:d", "attraction:c", "attraction:b"]
    assert plan.legs[0].distance_m == 0
    assert plan.legs[1].distance_m == pytest.approx(2_224, rel=0.01)
    assert plan.total_distance_m == pytest.approx(sum(leg.distance_m for leg in plan.legs))


def test_nearest_neighbour_from_a_point() -> None:
    plan = plan_day([A, B, C, D], start=(0.0, 0.09))
    assert plan.order == ["attraction:b", "attraction:c", "attraction:a", "attraction:d"]
    assert plan.legs[0].distance_m == pytest.approx(1_112, rel=0.01)


def test_travel_times_follow_the_road_factor_and_speeds() -> None:
    plan = plan_day([A, B])
    leg = plan.legs[1]
    kilometres = leg.distance_m / 1000 * ROAD_FACTOR
    assert leg.motorbike_minutes == round(kilometres / MOTORBIKE_KMH * 60)
    assert leg.car_minutes == round(kilometres / CAR_KMH * 60)
    assert leg.car_minutes < leg.motorbike_minutes


def test_empty_plan() -> None:
    assert plan_day([]).order == []


def _stop(stop: Stop) -> TripStop:
    return TripStop(document_id=stop.id, name={"en": stop.id}, lat=stop.lat, lng=stop.lng)


def test_trip_plan_from_a_chosen_stop_starts_there() -> None:
    trip = Trip(id=1, share_token="s", stops=[_stop(A), _stop(B), _stop(C), _stop(D)])
    plan = plan_trip(trip, start="attraction:b")
    assert [item.stop.document_id for item in plan.stops] == [
        "attraction:b",
        "attraction:c",
        "attraction:a",
        "attraction:d",
    ]
    assert plan.start == "attraction:b"
    # An unknown start falls back to the first saved stop.
    assert plan_trip(trip, start="attraction:zzz").stops[0].stop.document_id == "attraction:a"
