"""Trips: anonymous visitors save stops (cookie), get a day plan, share a read-only link; the API does the same."""

import json
import math

import pytest
from litestar.testing import AsyncTestClient

from tourism.demo.seed import PACKAGED_DEMO_PATH
from tourism.errors import Conflict

TOWER_PAGE = "/vi/attractions/po-klong-garai"


def _nearest_neighbour_names(start: str, others: list[str]) -> list[str]:
    """The expected visiting order, worked out here from the demo file with a flat-earth distance."""
    rows = {row["id"]: row for row in json.loads(PACKAGED_DEMO_PATH.read_text())["attractions"]}

    def flat_km(a: dict, b: dict) -> float:
        return math.hypot(
            (a["lat"] - b["lat"]) * 111.2, (a["lng"] - b["lng"]) * 111.2 * math.cos(math.radians(a["lat"]))
        )

    order, left = [start], list(others)
    while left:
        nearest = min(left, key=lambda key: flat_km(rows[order[-1]], rows[key]))
        order.append(nearest)
        left.remove(nearest)
    return [rows[key]["name_en"] for key in order]


async def _save(client: AsyncTestClient, token: str, document_id: str, **extra: str):
    return await client.post(
        "/vi/trip/stops",
        data={"_csrf_token": token, "document_id": document_id, "next": TOWER_PAGE, **extra},
        follow_redirects=False,
    )


async def test_visitor_saves_stops_and_gets_a_day_plan_and_share_link(client, demo, csrf) -> None:
    token = await csrf(client, TOWER_PAGE)
    first = await _save(client, token, "attraction:po-klong-garai")
    assert first.status_code == 303 and first.headers["location"] == TOWER_PAGE
    cookie = first.headers["set-cookie"]
    assert cookie.startswith("trip=") and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    for document_id in ("attraction:po-rome", "attraction:ninh-chu-beach", "attraction:bau-truc"):
        assert (await _save(client, token, document_id)).status_code == 303
    # Saving twice keeps one stop; a second save does not set a new cookie.
    again = await _save(client, token, "attraction:po-rome")
    assert again.status_code == 303 and "set-cookie" not in {k.lower() for k in again.headers}

    page = await client.get("/en/trip")
    assert page.status_code == 200
    plan = page.text[page.text.index('<ol class="t-plan">') :]
    expected = _nearest_neighbour_names("po-klong-garai", ["po-rome", "ninh-chu-beach", "bau-truc"])
    assert expected == [
        "Po Klong Garai Cham Towers",
        "Bau Truc Pottery Village",
        "Po Rome Cham Tower",
        "Ninh Chu Beach",
    ]
    order = [plan.index(name) for name in expected]
    assert order == sorted(order), plan[:2000]
    assert "by motorbike" in plan

    share = page.text.split('id="share-link">', 1)[1].split("<", 1)[0]
    assert share.startswith("/en/trips/")

    from_point = await client.get("/en/trip?start=point&lat=11.47&lng=108.88")
    plan = from_point.text[from_point.text.index('<ol class="t-plan">') :]
    assert plan.index("Po Rome Cham Tower") < plan.index("Po Klong Garai Cham Towers")

    removed = await client.post(
        "/vi/trip/stops/remove",
        data={"_csrf_token": token, "document_id": "attraction:po-rome"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert "Po Rome Cham Tower" not in (await client.get("/en/trip")).text

    # Someone else with the link: read-only, and their own (empty) trip is separate.
    client.cookies.clear()
    shared = await client.get(share)
    assert shared.status_code == 200 and "Bau Truc Pottery Village" in shared.text
    assert "/trip/stops/remove" not in shared.text  # no forms that change it
    assert "Po Klong Garai" not in (await client.get("/en/trip")).text


async def test_forms_without_csrf_or_with_bad_stops_are_refused(client, demo, csrf) -> None:
    no_csrf = await client.post("/vi/trip/stops", data={"document_id": "attraction:po-rome"}, follow_redirects=False)
    assert no_csrf.status_code == 403
    token = await csrf(client, TOWER_PAGE)
    assert (await _save(client, token, "product:nho-do")).status_code == 422
    assert (await _save(client, token, "attraction:no-such-place")).status_code == 404
    assert (await _save(client, token, "experience:lam-gom")).status_code == 422  # needs the point it was shown at
    offsite = await _save(client, token, "attraction:po-rome", next="//evil.example/")
    assert offsite.headers["location"] == "/vi/trip"  # never another site
    assert (await client.get("/vi/trips/not-a-real-token")).status_code == 404


async def test_trip_api_needs_the_edit_token(client, demo, drain, listing, shift, tower, csrf) -> None:
    engine = await drain()
    class_point = shift(tower, 0.0, 1.5)
    await engine.upsert([listing("experience", "lam-gom", {"vi": "Lớp làm gốm", "en": "Pottery class"}, class_point)])
    token = await csrf(client, TOWER_PAGE)
    headers = {"x-csrftoken": token}
    created = (await client.post("/api/v1/trips", headers=headers)).json()
    share, edit = created["trip"]["share_token"], created["edit_token"]
    stop = await client.post(
        f"/api/v1/trips/{share}/stops", json={"document_id": "attraction:po-klong-garai"}, headers=headers
    )
    assert stop.status_code == 403 and stop.json()["error"]["code"] == "trip_token_required"
    owner = {**headers, "x-trip-token": edit}
    assert (
        await client.post(
            f"/api/v1/trips/{share}/stops", json={"document_id": "attraction:po-klong-garai"}, headers=owner
        )
    ).status_code == 201
    experience = await client.post(
        f"/api/v1/trips/{share}/stops",
        headers=owner,
        json={"document_id": "experience:lam-gom", "lat": class_point[0] + 0.001, "lng": class_point[1]},
    )
    assert experience.status_code == 201 and experience.json()["name"]["en"] == "Pottery class"
    # The stored point is the listing's, not the one the client sent.
    assert experience.json()["lat"] == class_point[0]

    plan = (await client.get(f"/api/v1/trips/{share}/plan")).json()
    assert [item["stop"]["document_id"] for item in plan["stops"]] == [
        "attraction:po-klong-garai",
        "experience:lam-gom",
    ]
    assert 1400 < plan["stops"][1]["distance_m"] < 1600 and plan["stops"][1]["motorbike_minutes"] >= 3
    other = (await client.post("/api/v1/trips", headers=headers)).json()["edit_token"]
    denied = await client.delete(
        f"/api/v1/trips/{share}/stops/experience:lam-gom", headers={**headers, "x-trip-token": other}
    )
    assert denied.status_code == 403
    assert (await client.delete(f"/api/v1/trips/{share}/stops/experience:lam-gom", headers=owner)).status_code == 204


async def test_a_signed_in_visitors_trip_follows_them_to_another_device(client, demo, csrf, pool) -> None:
    from marketplace.accounts.service import create_user, start_session

    async with pool.acquire() as connection, connection.transaction():
        user = await create_user(connection, email="traveller@example.test", password=None, roles=["customer"])
        session = await start_session(connection, user.id)
    token = await csrf(client, TOWER_PAGE)
    # Saved before signing in: the trip lives in this browser's cookie only.
    assert (await _save(client, token, "attraction:po-klong-garai")).status_code == 303
    client.cookies.set("sid", session)
    assert (await _save(client, token, "attraction:hoa-lai")).status_code == 303  # now it becomes the user's

    trip_cookie = client.cookies.get("trip")
    client.cookies.clear()
    client.cookies.set("sid", session)  # another device: signed in, no trip cookie
    page = (await client.get("/en/trip")).text
    assert "Po Klong Garai Cham Towers" in page and "Hoa Lai Cham Towers" in page
    token = await csrf(client, TOWER_PAGE)
    removed = await client.post(
        "/vi/trip/stops/remove",
        data={"_csrf_token": token, "document_id": "attraction:hoa-lai"},
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert "Hoa Lai" not in (await client.get("/en/trip")).text
    assert trip_cookie


async def test_a_trip_holds_at_most_twenty_stops(conn) -> None:
    from tourism.demo.seed import seed_demo
    from tourism.trips import service
    from tourism.trips.models import MAX_STOPS, StopAdd

    await seed_demo(conn)
    trip = (await service.create_trip(conn)).trip
    slugs = [row["id"] for row in json.loads(PACKAGED_DEMO_PATH.read_text())["attractions"]]
    for slug in slugs[:MAX_STOPS]:
        await service.add_stop(conn, trip, StopAdd(document_id=f"attraction:{slug}"), searcher=None)  # type: ignore[arg-type]
    trip = await service.shared_trip(conn, trip.share_token)
    with pytest.raises(Conflict) as refused:
        await service.add_stop(conn, trip, StopAdd(document_id=f"attraction:{slugs[MAX_STOPS]}"), searcher=None)  # type: ignore[arg-type]
    assert refused.value.code == "trip_full"
    # Saving one that is already there again is still fine.
    await service.add_stop(conn, trip, StopAdd(document_id=f"attraction:{slugs[0]}"), searcher=None)  # type: ignore[arg-type]
    assert len((await service.shared_trip(conn, trip.share_token)).stops) == MAX_STOPS
