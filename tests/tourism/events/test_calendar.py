"""The events calendar: yearly and approximate events in a month, occurrences across years, the month grid."""

from datetime import date

from tourism.events.models import Event
from tourism.events.service import month_grid, month_occurrences, occurrences


async def test_month_calendar_shows_yearly_and_approximate_events(client, demo) -> None:
    html = (await client.get("/en/events?month=2026-10")).text
    assert "Kate Festival (Cham Brahmanist)" in html and "t-approx" in html
    assert "usual dates; exact dates announced each year" in html
    june_2023 = (await client.get("/en/events?month=2023-06")).text
    assert "Ninh Thuan Grape and Wine Festival" in june_2023
    assert "Ninh Thuan Grape and Wine Festival" not in (await client.get("/en/events?month=2026-06")).text
    assert (await client.get("/en/events?month=2026-13")).status_code == 422
    assert (await client.get("/en/events/nope")).status_code == 404


def _event(**fields: object) -> Event:
    values: dict[str, object] = {
        "id": 1,
        "slug": "e",
        "name": {"en": "E"},
        "starts_on": date(2024, 12, 30),
        "ends_on": date(2025, 1, 2),
        "recurrence": "yearly",
    }
    values.update(fields)
    return Event(**values)  # type: ignore[arg-type]


def test_yearly_occurrences_cross_the_new_year_and_leap_days() -> None:
    january = month_occurrences([_event()], 2027, 1)
    assert [(o.starts_on, o.ends_on) for o in january] == [(date(2026, 12, 30), date(2027, 1, 2))]
    leap = _event(starts_on=date(2024, 2, 29), ends_on=date(2024, 3, 1))
    assert [(o.starts_on, o.ends_on) for o in occurrences([leap], date(2025, 2, 1), date(2025, 3, 31))] == [
        (date(2025, 2, 28), date(2025, 3, 1))
    ]
    # A yearly event does not appear before its first year; a one-off only in its own dates.
    assert month_occurrences([_event()], 2023, 12) == []
    once = _event(recurrence="none", starts_on=date(2023, 6, 13), ends_on=date(2023, 6, 18))
    assert len(month_occurrences([once], 2023, 6)) == 1 and month_occurrences([once], 2024, 6) == []


def test_month_grid_starts_on_monday() -> None:
    weeks = month_grid(2026, 11)
    assert weeks[0][:6] == [None] * 6 and weeks[0][6] == date(2026, 11, 1)
    assert all(len(week) == 7 for week in weeks)


async def test_a_quiet_december_still_lists_the_coming_events(client, demo, monkeypatch) -> None:
    # Issue 14: /vi/events in December showed an empty month and nothing else.
    from datetime import datetime

    from i18n import TIME_ZONE
    from tourism import clock

    monkeypatch.setattr(clock, "local_now", lambda: datetime(2026, 12, 6, 9, 0, tzinfo=TIME_ZONE))
    html = (await client.get("/en/events")).text
    assert "No events this month." in html
    coming = html.split('id="upcoming"')[1].split("</ul>")[0]
    assert coming.count("<li>") >= 3
    # Soonest first, all from today on: the first is early in 2027 at the latest.
    assert "Dec 6, 2026" not in coming.split("<li>")[0]
