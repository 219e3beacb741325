"""Trip pages: the visitor's own trip (edit token in an HttpOnly cookie) and the read-only shared view."""

from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from tourism.errors import InvalidInput
from tourism.trips import service
from tourism.trips.models import StopAdd, Trip, TripPlan
from tourism.webutil import TRIP_COOKIE, TRIP_COOKIE_MAX_AGE, PageRenderer, form_text, parse_float, path_prefix

__all__ = ["TripPages", "SharedTripPages", "trip_cookie", "plan_from_query"]

PRIVATE = {"cache-control": "private, no-store"}


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


def plan_from_query(trip: Trip, start: str | None, lat: str | None, lng: str | None) -> TripPlan:
    """The day plan for the start the visitor chose: a typed point, one of the stops, or the first stop."""
    latitude, longitude = parse_float(lat, low=-90, high=90), parse_float(lng, low=-180, high=180)
    if start == "point" and latitude is not None and longitude is not None:
        return service.plan_trip(trip, point=(latitude, longitude))
    return service.plan_trip(trip, start=start)


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
    ) -> Response:
        """The saved stops and their day plan from the chosen start."""
        trip = await service.visitor_trip(db, request.cookies.get(TRIP_COOKIE), _user_id(principal))
        plan = plan_from_query(trip, start, lat, lng) if trip else None
        return page.render(
            "tourism/trip.html",
            {
                "trip": trip,
                "plan": plan,
                "editable": True,
                "start": start or "first",
                "lat": lat or "",
                "lng": lng or "",
            },
            headers=PRIVATE,
        )

    @post("/stops", name="tourism.trip.add")
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
        form = await request.form()
        try:
            data = msgspec.convert(
                {
                    "document_id": form_text(form, "document_id", 100),
                    "lat": parse_float(form.get("lat"), low=-90, high=90),
                    "lng": parse_float(form.get("lng"), low=-180, high=180),
                },
                StopAdd,
            )
        except msgspec.ValidationError as error:
            raise InvalidInput(f"cannot save this stop: {error}", code="invalid_stop") from None
        cookies: list[Cookie] = []
        trip = await service.visitor_trip(db, request.cookies.get(TRIP_COOKIE), _user_id(principal))
        if trip is None:
            created = await service.create_trip(db, user_id=_user_id(principal))
            trip = created.trip
            cookies.append(trip_cookie(settings, page, created.edit_token))
        await service.add_stop(db, trip, data, search_engine)
        target = _safe_next(form_text(form, "next", 2000), f"{path_prefix(page)}/{page.locale}/trip")
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
        form = await request.form()
        trip = await service.visitor_trip(db, request.cookies.get(TRIP_COOKIE), _user_id(principal))
        if trip is None:
            raise InvalidInput("there is no trip in this browser yet", code="no_trip")
        await service.remove_stop(db, trip, form_text(form, "document_id", 100))
        return Redirect(f"{path_prefix(page)}/{page.locale}/trip", status_code=HTTP_303_SEE_OTHER)


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
    ) -> Response:
        """The trip and its day plan; nothing on this page can change it."""
        trip = await service.shared_trip(db, share_token)
        return page.render(
            "tourism/trip.html",
            {
                "trip": trip,
                "plan": plan_from_query(trip, start, lat, lng),
                "editable": False,
                "start": start or "first",
                "lat": lat or "",
                "lng": lng or "",
            },
            headers={"cache-control": "private, max-age=60", "x-robots-tag": "noindex"},
        )
