"""The day plan's clock times: from a chosen start time, with travel at the stated speed and a visit per category,
a warning for a stop closed on arrival, the locale's own time format, and the SVG sketch beside the list."""

import re
from datetime import date, datetime, time

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from i18n import TIME_ZONE
from tourism import clock
from tourism.attractions import service as attractions
from tourism.attractions.models import AttractionCreate
from tourism.hours import parse_hours_text
from tourism.trips.models import Trip, TripStop
from tourism.trips.schedule import StopFacts, parse_start_time, schedule_plan
from tourism.trips.service import plan_trip
from tourism.trips.sketch import sketch_plan

# Four stops due north of each other, 0.1, 0.05 and 0.05 degrees of latitude apart (11.12, 5.56, 5.56 km).
# By motorbike (straight line x 1.3 at 35 km/h): 11.12 x 1.3 / 35 x 60 = 24.8 -> 25 min; 5.56 km -> 12.4 -> 12 min.
MUSEUM = ("attraction:t-museum", 11.60, 108.90, "museum", "mon-sun 07:00-17:00")  # a 60-minute visit
VIEWPOINT = ("attraction:t-view", 11.70, 108.90, "viewpoint", "always")  # 30 minutes
TEMPLE = ("attraction:t-temple", 11.75, 108.90, "heritage", "mon-sun 13:00-17:00")  # 60 minutes, afternoons only
BEACH = ("attraction:t-beach", 11.80, 108.90, "beach", "")  # 120 minutes, hours unknown
PLACES = (MUSEUM, VIEWPOINT, TEMPLE, BEACH)
MONDAY = date(2026, 12, 7)


def _trip() -> Trip:
    stops = [TripStop(document_id=key, name={"en": key}, lat=lat, lng=lng) for key, lat, lng, _, _ in PLACES]
    return Trip(id=1, share_token="s", stops=stops)


def _facts() -> dict[str, StopFacts]:
    return {
        key: StopFacts(hours=parse_hours_text(hours, verified=True), category=category)
        for key, _, _, category, hours in PLACES
    }


def _clock_times(timed) -> list[tuple[str, str]]:
    return [(stop.arrives_at.strftime("%H:%M"), stop.leaves_at.strftime("%H:%M")) for stop in timed.stops]


def test_times_follow_travel_at_the_stated_speed_and_the_visit_per_category() -> None:
    timed = schedule_plan(plan_trip(_trip()), MONDAY, time(8, 0), _facts())
    assert [stop.travel_minutes for stop in timed.stops] == [0, 25, 12, 12]
    assert [stop.visit_minutes for stop in timed.stops] == [60, 30, 60, 120]
    assert _clock_times(timed) == [("08:00", "09:00"), ("09:25", "09:55"), ("10:07", "11:07"), ("11:19", "13:19")]
    assert timed.ends_at == datetime(2026, 12, 7, 13, 19, tzinfo=TIME_ZONE)
    assert [stop.hours for stop in timed.stops] == ["open", "always", "closed", "unknown"]
    temple = timed.stops[2]
    assert temple.opens_at == datetime(2026, 12, 7, 13, 0, tzinfo=TIME_ZONE)
    assert timed.warnings == 1


def test_by_car_and_from_a_later_start() -> None:
    # By car at 45 km/h: 11.12 x 1.3 / 45 x 60 = 19.3 -> 19 min; 5.56 km -> 9.6 -> 10 min.
    timed = schedule_plan(plan_trip(_trip()), MONDAY, time(13, 30), _facts(), "car")
    assert _clock_times(timed) == [("13:30", "14:30"), ("14:49", "15:19"), ("15:29", "16:29"), ("16:39", "18:39")]
    # The temple is open at 15:29 but closes at 17:00, after the visit: no warning.
    assert [stop.hours for stop in timed.stops] == ["open", "always", "open", "unknown"]


def test_a_visit_that_runs_past_closing_time_says_so() -> None:
    timed = schedule_plan(plan_trip(_trip()), MONDAY, time(16, 30), _facts())
    museum = timed.stops[0]
    assert museum.hours == "closes_during_visit"
    assert museum.closes_at == datetime(2026, 12, 7, 17, 0, tzinfo=TIME_ZONE)
    # The temple is reached at 18:37, after it closed, and does not open again that day.
    assert timed.stops[2].hours == "closed" and timed.stops[2].opens_at is None


def test_start_times_are_read_as_people_type_them() -> None:
    assert parse_start_time("08:00") == time(8, 0)
    assert parse_start_time("8:05") == time(8, 5)
    assert parse_start_time("8h30") == time(8, 30)
    assert parse_start_time(" ") is None
    for bad in ("25:00", "8", "noon", "08:60"):
        with pytest.raises(ValueError):
            parse_start_time(bad)


def test_the_sketch_keeps_north_up_and_labels_every_leg() -> None:
    plan = plan_trip(_trip())
    sketch = sketch_plan(plan)
    assert sketch is not None
    assert [point.number for point in sketch.points] == [1, 2, 3, 4]
    # Due north: same x, y decreasing from the museum (bottom) to the beach (top), inside the margins.
    assert len({point.x for point in sketch.points}) == 1
    ys = [point.y for point in sketch.points]
    assert ys == sorted(ys, reverse=True) and ys[0] == 240 - 28 and ys[-1] == 28
    assert [round(line.distance_m) for line in sketch.lines] == [round(item.distance_m) for item in plan.stops[1:]]
    from_point = sketch_plan(plan_trip(_trip(), point=(11.5, 108.9)), (11.5, 108.9))
    assert from_point is not None and [point.number for point in from_point.points] == [0, 1, 2, 3, 4]
    assert len(from_point.lines) == 4
    # Labels sit beside their line, not on it: a line due north gets its label to one side.
    assert all(abs(line.label_x - line.x1) >= 20 for line in sketch.lines)


async def _publish(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection, connection.transaction():
        for key, lat, lng, category, hours in PLACES:
            slug = key.split(":", 1)[1]
            await attractions.create_attraction(
                connection,
                AttractionCreate(
                    slug=slug,
                    name={"en": slug.title(), "vi": slug.title()},
                    category=category,  # type: ignore[arg-type]
                    lat=lat,
                    lng=lng,
                    opening_hours=parse_hours_text(hours, verified=True),
                    status="published",
                ),
            )


# What each locale shows for 08:00, 10:07 (the temple's arrival), 13:00 (its opening) and 13:19 (the end).
EXPECTED = {
    "vi": ("08:00", "10:07", "13:00", "13:19"),
    "en": ("8:00\u202fAM", "10:07\u202fAM", "1:00\u202fPM", "1:19\u202fPM"),
    "zh": ("08:00", "10:07", "13:00", "13:19"),
    "ko": ("AM 8:00", "AM 10:07", "PM 1:00", "PM 1:19"),
    "ja": ("8:00", "10:07", "13:00", "13:19"),
    "ru": ("08:00", "10:07", "13:00", "13:19"),
    "fr": ("08:00", "10:07", "13:00", "13:19"),
    "ar": ("8:00 ص", "10:07 ص", "1:00 م", "1:19 م"),
}


async def test_the_trip_page_gives_times_warnings_and_a_sketch_in_every_locale(
    client: AsyncTestClient, pool: asyncpg.Pool, csrf, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "local_now", lambda: datetime(2026, 12, 7, 6, 0, tzinfo=TIME_ZONE))
    await _publish(pool)
    token = await csrf(client, "/vi/attractions/t-museum")
    for key, *_ in PLACES:
        saved = await client.post("/vi/trip/stops", data={"_csrf_token": token, "document_id": key},
                                  follow_redirects=False)
        assert saved.status_code == 303
    for locale, (start, temple_arrival, temple_opens, end) in EXPECTED.items():
        page = await client.get(f"/{locale}/trip")
        assert page.status_code == 200, locale
        html = page.text.replace("&#8239;", "\u202f").replace("&nbsp;", "\u00a0")
        assert 'value="08:00"' in html and f'value="{MONDAY.isoformat()}"' in html  # the defaults
        items = re.findall(r'<li id="stop-(\d)"(.*?)</li>', html, re.S)
        assert [number for number, _ in items] == ["1", "2", "3", "4"], locale
        times = [re.findall(r"<time [^>]*>([^<]+)</time>", body) for _, body in items]
        assert times[0][0] == start and times[2][0] == temple_arrival and times[3][1] == end, (locale, times)
        temple = items[2][1]
        assert 't-stop-closed' in temple and "t-hours-warning" in temple and temple_opens in temple, locale
        assert "t-hours-unknown" in items[3][1] and "t-hours-warning" not in items[3][1]
        assert "t-hours-warning" not in items[0][1] + items[1][1]
        svg = html[html.index("<svg"):html.index("</svg>")]
        assert re.search(r'role="img" aria-labelledby="sketch-title sketch-desc"', svg)
        assert '<title id="sketch-title">' in svg and '<desc id="sketch-desc">' in svg
        assert svg.count("<circle") == 4 and svg.count("<line") == 3
        assert svg.count('class="t-sketch-closed"') == 1  # the temple, drawn hollow as well as warned of
        assert f'direction="{"rtl" if locale == "ar" else "ltr"}"' in svg
    english = (await client.get("/en/trip")).text
    assert "1 stop is closed when you arrive." in english
    assert english.count('class="t-hours-unknown"') == 1 and "Hours not confirmed" in english
    distances = english.split('<g class="t-sketch-distances">', 1)[1].split("</g>", 1)[0]
    labels = re.findall(r"<text [^>]*>([^<]+)</text>", distances)
    assert labels == ["11 km", "5.6 km", "5.6 km"]


async def test_the_chosen_start_time_and_mode_are_kept_and_bad_ones_refused(
    client: AsyncTestClient, pool: asyncpg.Pool, csrf, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "local_now", lambda: datetime(2026, 12, 7, 6, 0, tzinfo=TIME_ZONE))
    await _publish(pool)
    token = await csrf(client, "/vi/attractions/t-museum")
    for key in (MUSEUM[0], TEMPLE[0]):
        await client.post("/vi/trip/stops", data={"_csrf_token": token, "document_id": key}, follow_redirects=False)
    page = (await client.get("/vi/trip?at=14:00&mode=car&day=2026-12-08")).text
    assert 'value="14:00"' in page and 'value="2026-12-08"' in page and '<option value="car" selected>' in page
    # Museum 14:00-15:00, then 0.15 deg (16.7 km) by car: 16.68 x 1.3 / 45 x 60 = 28.9 -> 29 min: 15:29.
    assert re.findall(r"<time [^>]*>([^<]+)</time>", page) == ["14:00", "15:00", "15:29", "16:29"]
    assert "t-hours-warning" not in page
    for query in ("at=25:00", "at=noon", "day=2026-13-01", "mode=plane"):
        assert (await client.get(f"/vi/trip?{query}")).status_code == 422, query


async def test_the_api_gives_the_same_schedule(
    client: AsyncTestClient, pool: asyncpg.Pool, csrf, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(clock, "local_now", lambda: datetime(2026, 12, 7, 6, 0, tzinfo=TIME_ZONE))
    await _publish(pool)
    token = await csrf(client, "/vi/attractions/t-museum")
    for key, *_ in PLACES:
        await client.post("/vi/trip/stops", data={"_csrf_token": token, "document_id": key}, follow_redirects=False)
    share = (await client.get("/en/trip")).text.split('id="share-link">/en/trips/', 1)[1].split("<", 1)[0]
    response = await client.get(f"/api/v1/trips/{share}/schedule", params={"at": "08:00"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["day"] == "2026-12-07" and body["mode"] == "motorbike" and body["speed_kmh"] == 35.0
    assert [stop["arrives_at"][11:16] for stop in body["stops"]] == ["08:00", "09:25", "10:07", "11:19"]
    assert [stop["hours"] for stop in body["stops"]] == ["open", "always", "closed", "unknown"]
    assert body["stops"][2]["opens_at"].startswith("2026-12-07T13:00:00")
    bad = await client.get(f"/api/v1/trips/{share}/schedule", params={"at": "25:61"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_start_time"
