"""Trip pages: the visitor's own trip (edit token in an HttpOnly cookie) and the read-only shared view."""

from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, Response, Router, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from i18n.forms import decode_form
from tourism import clock
from tourism.errors import InvalidInput
from tourism.geo import parse_point
from tourism.trips import service
from tourism.trips.models import StopAdd, StopForm, StopRemoveForm, Trip
from tourism.trips.schedule import read_schedule_options
from tourism.trips.sketch import sketch_plan
from tourism.webutil import NO_STORE, TRIP_COOKIE, TRIP_COOKIE_MAX_AGE, PageRenderer, path_prefix, see_other

__all__ = ["router", "TripPages", "SharedTripPages", "trip_cookie"]


def trip_cookie(settings: Any, page: Any, token: str) -> Cookie:
    """The HttpOnly cookie that holds a trip's edit token."""
    return Cookie(
        key=TRIP_COOKIE,
        value=token,
        max_age=TRIP_COOKIE_MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=bool(getattr(settings, "secure_cookies", False)),
        path=path_prefix(page) or "/",
    )


def _user_id(principal: Any) -> int | None:
    return getattr(principal, "user_id", None) if principal is not None else None


def _safe_next(value: str, fallback: str) -> str:
    # Only paths on this site: an open redirect would let a link send visitors anywhere after a click here.
    if (
        value.startswith("/")
        and not value.startswith("//")
        and "\\" not in value
        and "\r" not in value
        and "\n" not in value
    ):
        return value
    return fallback


class PlanChoices:
    """What the visitor chose in the plan form (query parameters), read once for both trip pages."""

    def __init__(
        self, start: str | None, lat: str | None, lng: str | None, at: str | None, day: str | None, mode: str | None
    ) -> None:
        self.start, self.lat, self.lng = start, lat, lng
        self.options = read_schedule_options(at, day, mode, clock.local_today())


async def _render_trip(
    db: asyncpg.Connection,
    page: PageRenderer,
    trip: Trip | None,
    choices: PlanChoices,
    *,
    editable: bool,
    headers: dict[str, str],
) -> Response:
    """The trip page: its stops in plan order from the chosen start (a stop, a typed point or the first), with
    clock times from the chosen start time and a sketch of the route."""
    point = parse_point(choices.lat, choices.lng)
    plan = service.plan_from_start(trip, choices.start, point) if trip else None
    timed = sketch = None
    if trip and plan:
        timed = await service.schedule_trip(db, trip, plan, choices.options)
        sketch = sketch_plan(plan, point if plan.start == "point" else None)
    context = {
        "trip": trip,
        "plan": plan,
        "timed": timed,
        "sketch": sketch,
        "editable": editable,
        "start": choices.start or "first",
        "lat": choices.lat or "",
        "lng": choices.lng or "",
        "start_time": choices.options.start_time.strftime("%H:%M"),
        "day": choices.options.day.isoformat(),
        "mode": choices.options.mode,
    }
    return page.render("tourism/trip.html", context, headers=headers)


class TripPages(Controller):
    """The visitor's trip under /{locale}/trip."""

    path = "/trip"

    @get("/", name="tourism.trip")
    async def trip_page(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Any],
        start: Annotated[str | None, QueryParameter(max_length=100)] = None,
        lat: Annotated[str | None, QueryParameter(max_length=32)] = None,
        lng: Annotated[str | None, QueryParameter(max_length=32)] = None,
        at: Annotated[str | None, QueryParameter(max_length=16)] = None,
        day: Annotated[str | None, QueryParameter(max_length=16)] = None,
        mode: Annotated[str | None, QueryParameter(max_length=16)] = None,
    ) -> Response:
        """The saved stops and their day plan from the chosen start, start time and day."""
        choices = PlanChoices(start, lat, lng, at, day, mode)
        trip = await service.visitor_trip(db, request.cookies.get(TRIP_COOKIE), _user_id(principal))
        return await _render_trip(db, page, trip, choices, editable=True, headers=NO_STORE)

    @post("/stops", name="tourism.trip.add", opt={"anonymous_write": "trip"})
    async def add_stop(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        search_engine: NamedDependency[Any],
        settings: NamedDependency[Any],
        principal: NamedDependency[Any],
    ) -> Response:
        """Save an attraction or experience; the first save creates the trip and its cookie."""
        form = decode_form(await request.form(), StopForm)
        cookies: list[Cookie] = []
        trip = await service.visitor_trip(db, request.cookies.get(TRIP_COOKIE), _user_id(principal))
        if trip is None:
            created = await service.create_trip(db, user_id=_user_id(principal))
            trip = created.trip
            cookies.append(trip_cookie(settings, page, created.edit_token))
        stop = StopAdd(document_id=form.document_id, lat=form.lat, lng=form.lng)
        await service.add_stop(db, trip, stop, search_engine)
        target = _safe_next(form.next, f"{path_prefix(page)}/{page.locale}/trip")
        return Redirect(target, status_code=HTTP_303_SEE_OTHER, cookies=cookies)

    @post("/stops/remove", name="tourism.trip.remove")
    async def remove_stop(
        self,
        request: Request[Any, Any, Any],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        principal: NamedDependency[Any],
    ) -> Response:
        """Take a stop off the visitor's trip."""
        form = decode_form(await request.form(), StopRemoveForm)
        trip = await service.visitor_trip(db, request.cookies.get(TRIP_COOKIE), _user_id(principal))
        if trip is None:
            raise InvalidInput("there is no trip in this browser yet", code="no_trip")
        await service.remove_stop(db, trip, form.document_id)
        return see_other(page, "/trip")


class SharedTripPages(Controller):
    """A shared trip, read-only, under /{locale}/trips/{share_token}."""

    path = "/trips"

    @get("/{share_token:str}", name="tourism.trip.shared")
    async def shared_trip(
        self,
        share_token: FromPath[str],
        page: NamedDependency[PageRenderer],
        db: NamedDependency[asyncpg.Connection],
        start: Annotated[str | None, QueryParameter(max_length=100)] = None,
        lat: Annotated[str | None, QueryParameter(max_length=32)] = None,
        lng: Annotated[str | None, QueryParameter(max_length=32)] = None,
        at: Annotated[str | None, QueryParameter(max_length=16)] = None,
        day: Annotated[str | None, QueryParameter(max_length=16)] = None,
        mode: Annotated[str | None, QueryParameter(max_length=16)] = None,
    ) -> Response:
        """The trip and its day plan; nothing on this page can change it."""
        choices = PlanChoices(start, lat, lng, at, day, mode)
        trip = await service.shared_trip(db, share_token)
        headers = {"cache-control": "private, no-cache", "x-robots-tag": "noindex"}
        return await _render_trip(db, page, trip, choices, editable=False, headers=headers)


router = Router(path="/", route_handlers=[TripPages, SharedTripPages])
