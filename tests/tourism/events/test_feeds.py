"""Event feeds: iCalendar, GeoJSON, CSV and the page's JSON-LD each parse back to what was stored."""

import csv
import io
from datetime import date, timedelta

import asyncpg
from icalendar import Calendar

from tourism.events import service as events
from tourism.events.ical import calendar_bytes
from tourism.events.models import EventCreate


def _vevents(body: bytes) -> dict[str, object]:
    calendar = Calendar.from_ical(body)
    return {str(component.get("uid")): component for component in calendar.walk("VEVENT")}


async def test_feed_of_all_events_parses_back_with_the_same_events(client, demo: asyncpg.Pool) -> None:
    async with demo.acquire() as connection:
        stored = await events.list_events(connection)
    response = await client.get("/api/v1/events.ics?locale=en")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = _vevents(response.content)
    assert len(parsed) == len(stored) == 5
    by_summary = {str(component.get("summary")): component for component in parsed.values()}
    for event in stored:
        component = by_summary[event.name["en"]]
        assert component.decoded("dtstart") == event.starts_on
        # DTEND of an all-day event is exclusive: the day after the last day.
        assert component.decoded("dtend") == event.ends_on + timedelta(days=1)
        assert ("RRULE" in component) == (event.recurrence == "yearly")
        assert str(component.get("status")) == ("TENTATIVE" if event.date_precision == "approximate" else "CONFIRMED")
    kate = by_summary["Kate Festival (Cham Brahmanist)"]
    assert kate.get("rrule")["FREQ"] == ["YEARLY"]
    assert kate.get("geo").latitude == 11.6018 and kate.get("geo").longitude == 108.9465


async def test_one_event_ics_and_the_vietnamese_feed(client, demo: asyncpg.Pool) -> None:
    response = await client.get("/api/v1/events/kate/event.ics?locale=vi")
    assert response.status_code == 200
    assert 'filename="kate.ics"' in response.headers["content-disposition"]
    (component,) = _vevents(response.content).values()
    assert str(component.get("summary")) == "Lễ hội Katê"
    assert str(component.get("url")).endswith("/vi/events/kate")
    missing = await client.get("/api/v1/events/no-such-event/event.ics")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "event_not_found"


def test_calendar_bytes_round_trip_of_a_non_recurring_event() -> None:
    from tourism.events.models import Event

    event = Event(
        id=1,
        slug="wine",
        name={"en": "Wine festival", "vi": "Lễ hội vang"},
        starts_on=date(2023, 6, 13),
        ends_on=date(2023, 6, 18),
        lat=11.57,
        lng=109.0,
        status="published",
    )
    (component,) = _vevents(calendar_bytes([event], locale="vi", base_url="https://example.test")).values()
    assert str(component.get("uid")) == "event-wine@example.test"
    assert str(component.get("summary")) == "Lễ hội vang"
    assert component.decoded("dtstart") == date(2023, 6, 13) and component.decoded("dtend") == date(2023, 6, 19)
    assert "RRULE" not in component


async def test_geojson_places_events_longitude_first(client, demo: asyncpg.Pool) -> None:
    event_data = (await client.get("/api/v1/events.geojson")).json()
    kate = next(f for f in event_data["features"] if f["properties"]["slug"] == "kate")
    assert kate["geometry"]["coordinates"] == [108.9465, 11.6018]
    assert all(f["geometry"] is None or f["geometry"]["type"] == "Point" for f in event_data["features"])


async def test_csv_download(client, demo: asyncpg.Pool) -> None:
    event_rows = list(csv.DictReader(io.StringIO((await client.get("/api/v1/events.csv")).text)))
    assert {row["slug"] for row in event_rows} == {"kate", "rija-nugar", "ramuwan", "grape-wine-festival", "cau-ngu"}


async def test_page_carries_schema_org_json_ld(client, demo: asyncpg.Pool, page_json_ld) -> None:
    event = page_json_ld((await client.get("/vi/events/kate")).text)
    assert event["@type"] == "Event" and event["name"] == "Lễ hội Katê"
    assert event["location"]["geo"]["latitude"] == 11.6018


async def test_json_ld_cannot_close_its_script_element(client, pool: asyncpg.Pool, page_json_ld) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await events.create_event(
            connection,
            EventCreate(
                slug="tricky",
                name={"en": "</script><script>alert(1)</script>"},
                starts_on=date(2030, 1, 1),
                ends_on=date(2030, 1, 2),
                status="published",
            ),
        )
    html = (await client.get("/en/events/tricky")).text
    assert "<script>alert(1)" not in html
    assert page_json_ld(html)["name"] == "</script><script>alert(1)</script>"
