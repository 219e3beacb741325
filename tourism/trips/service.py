"""Trip rules: tokens, saving stops (attractions here, experiences through search), the day plan."""

import hashlib
import secrets
from typing import Protocol

import asyncpg

from search.models import GeoFilter, SearchFilters, SearchQuery, SearchResult
from tourism.attractions import repository as attractions
from tourism.errors import Conflict, InvalidInput, NotFound
from tourism.geo import Stop, plan_day
from tourism.trips import repository
from tourism.trips.models import MAX_STOPS, NewTrip, PlannedStop, StopAdd, Trip, TripPlan, TripStop
from tourism.trips.schedule import ScheduleOptions, StopFacts, TimedPlan, schedule_plan

__all__ = [
    "expire_unused_trips",
    "Searcher",
    "hash_token",
    "create_trip",
    "trip_for_edit_token",
    "shared_trip",
    "visitor_trip",
    "may_edit",
    "add_stop",
    "remove_stop",
    "plan_trip",
    "plan_from_start",
    "saved_document_ids",
    "stop_facts",
    "schedule_trip",
]

MAX_TOKEN_LENGTH = 100
# How far from the given point an experience may be found when saving it (the point comes from the
# nearby list the visitor saw; a document moved further than this must be found again).
EXPERIENCE_LOOKUP_RADIUS_M = 2_000


class Searcher(Protocol):
    """The part of the search engine trips need."""

    async def search(self, query: SearchQuery) -> SearchResult: ...


def hash_token(token: str) -> bytes:
    """The stored form of an edit token (a random 256-bit token needs no slow hash)."""
    return hashlib.sha256(token.encode()).digest()


async def create_trip(connection: asyncpg.Connection, *, user_id: int | None = None, title: str = "") -> NewTrip:
    """A new empty trip with a fresh edit token (for its owner) and share token (for a read-only link)."""
    edit_token = secrets.token_urlsafe(32)
    trip = await repository.insert_trip(
        connection, hash_token(edit_token), secrets.token_urlsafe(16), user_id, title.strip()[:120]
    )
    return NewTrip(trip=trip, edit_token=edit_token)


async def trip_for_edit_token(connection: asyncpg.Connection, edit_token: str | None) -> Trip | None:
    """The trip this edit token opens, or None (no token, a malformed one, or an unknown one)."""
    if not edit_token or len(edit_token) > MAX_TOKEN_LENGTH:
        return None
    return await repository.get_trip_by_edit_hash(connection, hash_token(edit_token))


async def visitor_trip(
    connection: asyncpg.Connection, edit_token: str | None, user_id: int | None = None
) -> Trip | None:
    """The trip this browser holds (its cookie), else the signed-in user's latest trip on any device.

    A trip started before signing in becomes the user's, so it follows them to their other devices.
    """
    trip = await trip_for_edit_token(connection, edit_token)
    if trip is not None:
        if user_id is not None and trip.user_id is None:
            await repository.set_trip_user(connection, trip.id, user_id)
        return trip
    if user_id is not None:
        return await repository.get_latest_trip_for_user(connection, user_id)
    return None


def may_edit(trip: Trip, edit_token_trip: Trip | None, user_id: int | None) -> bool:
    """The holder of the trip's edit token, or the signed-in user it belongs to, may change it."""
    return (edit_token_trip is not None and edit_token_trip.id == trip.id) or (
        user_id is not None and trip.user_id == user_id
    )


async def saved_document_ids(connection: asyncpg.Connection, edit_token: str | None) -> set[str]:
    """The document ids saved in the trip this edit token opens (none without a trip), to mark them on pages."""
    trip = await trip_for_edit_token(connection, edit_token)
    return {stop.document_id for stop in trip.stops} if trip else set()


async def shared_trip(connection: asyncpg.Connection, share_token: str) -> Trip:
    """The trip behind a share link; NotFound otherwise."""
    trip = None
    if 0 < len(share_token) <= MAX_TOKEN_LENGTH:
        trip = await repository.get_trip_by_share_token(connection, share_token)
    if trip is None:
        raise NotFound("no trip behind this link", code="trip_not_found")
    return trip


async def _resolve_experience(searcher: Searcher, document_id: str, lat: float | None, lng: float | None) -> TripStop:
    if lat is None or lng is None:
        raise InvalidInput("saving an experience needs the lat and lng it was shown at", code="point_required")
    result = await searcher.search(
        SearchQuery(
            filters=SearchFilters(kinds=("experience",)),
            geo=GeoFilter(lat=lat, lng=lng, radius_m=EXPERIENCE_LOOKUP_RADIUS_M),
            sort="distance",
            per_page=100,
        )
    )
    for hit in result.hits:
        document = hit.document
        if document.id == document_id and document.point is not None and document.published:
            return TripStop(
                document_id=document_id,
                name=document.name,
                lat=document.point.lat,
                lng=document.point.lng,
                url_path=document.url_path,
            )
    raise NotFound(f"no experience {document_id!r} near that point", code="experience_not_found")


async def add_stop(connection: asyncpg.Connection, trip: Trip, data: StopAdd, searcher: Searcher) -> TripStop:
    """Save a published attraction or an experience to the trip; names and points come from the source."""
    kind, key = data.document_id.split(":", 1)
    if kind == "attraction":
        attraction = await attractions.get_attraction(connection, key)
        if attraction is None:
            raise NotFound(f"no attraction {key!r}", code="attraction_not_found")
        stop = TripStop(
            document_id=data.document_id,
            name=attraction.name,
            lat=attraction.lat,
            lng=attraction.lng,
            url_path=attraction.url_path,
        )
    else:
        stop = await _resolve_experience(searcher, data.document_id, data.lat, data.lng)
    await repository.lock_trip(connection, trip.id)
    already = any(existing.document_id == stop.document_id for existing in trip.stops)
    if not already and await repository.count_stops(connection, trip.id) >= MAX_STOPS:
        raise Conflict(f"a trip holds at most {MAX_STOPS} stops", code="trip_full")
    await repository.insert_stop(connection, trip.id, stop)
    await repository.touch_trip(connection, trip.id)
    return stop


async def remove_stop(connection: asyncpg.Connection, trip: Trip, document_id: str) -> None:
    """Take a stop off the trip."""
    if not await repository.delete_stop(connection, trip.id, document_id):
        raise NotFound(f"the trip has no stop {document_id!r}", code="stop_not_found")
    await repository.touch_trip(connection, trip.id)


def plan_trip(trip: Trip, *, start: str | None = None, point: tuple[float, float] | None = None) -> TripPlan:
    """Order the stops by nearest neighbour from a point, from one of the stops, or from the first saved."""
    stops = {stop.document_id: stop for stop in trip.stops}
    ordered = list(trip.stops)
    origin: tuple[float, float] | None = None
    label = "first"
    if point is not None:
        origin, label = point, "point"
    elif start and start in stops:
        # Starting at a stop: it comes first, the rest follow from it.
        ordered = [stops[start], *(stop for stop in trip.stops if stop.document_id != start)]
        label = start
    plan = plan_day([Stop(id=stop.document_id, lat=stop.lat, lng=stop.lng) for stop in ordered], origin)
    return TripPlan(
        start=label,
        stops=[
            PlannedStop(
                stop=stops[leg.to_id],
                distance_m=leg.distance_m,
                motorbike_minutes=leg.motorbike_minutes,
                car_minutes=leg.car_minutes,
            )
            for leg in plan.legs
        ],
        total_distance_m=plan.total_distance_m,
        total_motorbike_minutes=plan.total_motorbike_minutes,
        total_car_minutes=plan.total_car_minutes,
    )


def plan_from_start(trip: Trip, start: str | None, point: tuple[float, float] | None) -> TripPlan:
    """The plan from the start a visitor chose: "point" (when the point they typed is valid), a stop, or the first."""
    return plan_trip(trip, point=point) if start == "point" and point is not None else plan_trip(trip, start=start)


async def stop_facts(connection: asyncpg.Connection, trip: Trip) -> dict[str, StopFacts]:
    """Opening hours and category of the trip's attractions, read now (a saved stop keeps only its name and
    point, and hours change); experiences have neither here, so their hours count as unknown."""
    slugs = [stop.document_id.split(":", 1)[1] for stop in trip.stops if stop.kind == "attraction"]
    if not slugs:
        return {}
    found = await attractions.list_attractions_by_slugs(connection, slugs)
    return {item.document_id: StopFacts(hours=item.opening_hours, category=item.category) for item in found}


async def schedule_trip(
    connection: asyncpg.Connection, trip: Trip, plan: TripPlan, options: ScheduleOptions
) -> TimedPlan:
    """Clock times for the trip's plan from the chosen day, start time and travel, with each stop's hours."""
    facts = await stop_facts(connection, trip)
    return schedule_plan(plan, options.day, options.start_time, facts, options.mode)


async def expire_unused_trips(connection: asyncpg.Connection) -> int:
    """Housekeeping: anonymous trips unchanged for 90 days, or without a stop for a day, are deleted."""
    return await repository.delete_unused_trips(connection)
