"""The trips JSON API under /api/v1: create a trip, save stops with its edit token, read the day plan."""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Router, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter

from tourism import clock
from tourism.errors import Forbidden
from tourism.geo import parse_point
from tourism.trips import service
from tourism.trips.models import NewTrip, StopAdd, Trip, TripPlan, TripStop
from tourism.trips.schedule import TimedPlan, read_schedule_options

__all__ = ["router", "TripApi", "EDIT_TOKEN_HEADER"]

# Clients keep the edit token from creation and send it back; the share token in the path is public.
EDIT_TOKEN_HEADER = "x-trip-token"


async def _editable(request: Request[Any, Any, Any], db: asyncpg.Connection, share_token: str, principal: Any) -> Trip:
    trip = await service.shared_trip(db, share_token)
    owned = await service.trip_for_edit_token(db, request.headers.get(EDIT_TOKEN_HEADER))
    if not service.may_edit(trip, owned, getattr(principal, "user_id", None) if principal else None):
        raise Forbidden("send this trip's edit token in the X-Trip-Token header", code="trip_token_required")
    return trip


class TripApi(Controller):
    """Trips for signed-in and anonymous visitors alike."""

    path = "/trips"
    tags = ["tourism"]

    @post("/", name="tourism.api.trips.create", opt={"anonymous_write": "trip"})
    async def create(self, db: NamedDependency[asyncpg.Connection], principal: NamedDependency[Any]) -> NewTrip:
        """A new empty trip; keep `edit_token` (shown once) to change it, share `trip.share_token`."""
        return await service.create_trip(db, user_id=getattr(principal, "user_id", None))

    @get("/{share_token:str}", name="tourism.api.trips.detail")
    async def detail(self, share_token: FromPath[str], db: NamedDependency[asyncpg.Connection]) -> Trip:
        """The trip and its stops (read-only with the share token)."""
        return await service.shared_trip(db, share_token)

    @get("/{share_token:str}/plan", name="tourism.api.trips.plan")
    async def plan(
        self,
        share_token: FromPath[str],
        db: NamedDependency[asyncpg.Connection],
        start: Annotated[str | None, QueryParameter(max_length=100)] = None,
        lat: Annotated[str | None, QueryParameter(max_length=32)] = None,
        lng: Annotated[str | None, QueryParameter(max_length=32)] = None,
    ) -> TripPlan:
        """The day plan: nearest neighbour from `start` (a stop id, "point" with lat/lng, or the first stop)."""
        return service.plan_from_start(await service.shared_trip(db, share_token), start, parse_point(lat, lng))

    @get("/{share_token:str}/schedule", name="tourism.api.trips.schedule", opt={"refusals": (422,)})
    async def schedule(
        self,
        share_token: FromPath[str],
        db: NamedDependency[asyncpg.Connection],
        start: Annotated[str | None, QueryParameter(max_length=100)] = None,
        lat: Annotated[str | None, QueryParameter(max_length=32)] = None,
        lng: Annotated[str | None, QueryParameter(max_length=32)] = None,
        at: Annotated[str | None, QueryParameter(max_length=16, description="start time, HH:MM (08:00)")] = None,
        day: Annotated[str | None, QueryParameter(max_length=16, description="YYYY-MM-DD (today)")] = None,
        mode: Annotated[str | None, QueryParameter(max_length=16, description="motorbike or car")] = None,
    ) -> TimedPlan:
        """The day plan with arrival and leaving times, and whether each stop is open on arrival."""
        options = read_schedule_options(at, day, mode, clock.local_today())
        trip = await service.shared_trip(db, share_token)
        plan = service.plan_from_start(trip, start, parse_point(lat, lng))
        return await service.schedule_trip(db, trip, plan, options)

    @post("/{share_token:str}/stops", name="tourism.api.trips.add_stop", opt={"anonymous_write": "trip"})
    async def add_stop(
        self,
        request: Request[Any, Any, Any],
        share_token: FromPath[str],
        data: JSONBody[StopAdd],
        db: NamedDependency[asyncpg.Connection],
        search_engine: NamedDependency[Any],
        principal: NamedDependency[Any],
    ) -> TripStop:
        """Save an attraction or experience (experiences need the lat/lng they were listed at)."""
        trip = await _editable(request, db, share_token, principal)
        return await service.add_stop(db, trip, data, search_engine)

    @delete("/{share_token:str}/stops/{document_id:str}", name="tourism.api.trips.remove_stop")
    async def remove_stop(
        self,
        request: Request[Any, Any, Any],
        share_token: FromPath[str],
        document_id: FromPath[str],
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Any],
    ) -> None:
        """Take a stop off the trip."""
        await service.remove_stop(db, await _editable(request, db, share_token, principal), document_id)


router = Router(path="/", route_handlers=[TripApi])
