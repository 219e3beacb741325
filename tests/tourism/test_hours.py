"""Opening hours: "open now" at chosen instants in Asia/Ho_Chi_Minh, across midnight, on exceptions and closures."""

from datetime import UTC, date, datetime, time

import pytest

from i18n import TIME_ZONE
from tourism.hours import (
    HoursSyntaxError,
    OpeningHours,
    format_hours_text,
    opening_status,
    parse_hours_text,
)

# 2026-11-23 is a Monday.
MONDAY = date(2026, 11, 23)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TIME_ZONE)


def at_day(offset: int, hour: int, minute: int = 0) -> datetime:
    return local(date.fromordinal(MONDAY.toordinal() + offset), hour, minute)


DAYTIME = parse_hours_text("mon-sun 07:00-17:00")
BAR = parse_hours_text("mon-thu 18:00-23:00\nfri-sat 18:00-02:00\nsun closed")


def test_open_during_the_day_with_closing_time() -> None:
    status = opening_status(DAYTIME, at_day(0, 10))
    assert status.is_open and status.closes_at == at_day(0, 17)


def test_closed_before_opening_says_when_it_opens() -> None:
    status = opening_status(DAYTIME, at_day(0, 6, 59))
    assert not status.is_open and status.opens_at == at_day(0, 7)


def test_the_closing_minute_is_closed_and_points_to_tomorrow() -> None:
    status = opening_status(DAYTIME, at_day(0, 17))
    assert not status.is_open and status.opens_at == at_day(1, 7)


def test_instants_in_other_time_zones_are_converted_to_vietnam_time() -> None:
    # 03:30 UTC is 10:30 in Asia/Ho_Chi_Minh (UTC+7): open. 11:00 UTC is 18:00 there: closed.
    assert opening_status(DAYTIME, datetime(2026, 11, 23, 3, 30, tzinfo=UTC)).is_open
    assert not opening_status(DAYTIME, datetime(2026, 11, 23, 11, 0, tzinfo=UTC)).is_open
    # Naive datetimes are taken as local time.
    assert opening_status(DAYTIME, datetime(2026, 11, 23, 10, 0)).is_open


def test_range_across_midnight_is_open_after_midnight_on_the_next_day() -> None:
    # Friday 18:00 to Saturday 02:00: Saturday 01:30 is open and closes at 02:00.
    status = opening_status(BAR, at_day(5, 1, 30))
    assert status.is_open and status.closes_at == at_day(5, 2)
    # Saturday 18:00 to Sunday 02:00 holds on Sunday morning although Sunday itself is closed.
    assert opening_status(BAR, at_day(6, 1)).is_open
    status = opening_status(BAR, at_day(6, 3))
    assert not status.is_open and status.opens_at == at_day(7, 18)


def test_thursday_night_does_not_run_past_midnight() -> None:
    assert not opening_status(BAR, at_day(4, 0, 30)).is_open


def test_touching_ranges_across_midnight_merge_into_one_opening() -> None:
    hours = parse_hours_text("mon 20:00-24:00\ntue 00:00-03:00 08:00-10:00")
    status = opening_status(hours, at_day(0, 23))
    assert status.is_open and status.closes_at == at_day(1, 3)


def test_dated_exception_replaces_the_weekday_hours() -> None:
    hours = parse_hours_text("mon-sun 07:00-17:00\n2026-11-25 08:00-12:00")
    assert opening_status(hours, at_day(2, 7, 30)).is_open is False
    status = opening_status(hours, at_day(2, 9))
    assert status.is_open and status.closes_at == at_day(2, 12)
    assert not opening_status(hours, at_day(2, 13)).is_open
    assert opening_status(hours, at_day(3, 13)).is_open


def test_exception_closed_day_and_closure_range_with_reason() -> None:
    hours = parse_hours_text("mon-sun 07:00-17:00\n2026-11-24 closed\nclosed 2026-11-26..2026-11-28 Restoration works")
    tuesday = opening_status(hours, at_day(1, 10))
    assert not tuesday.is_open and tuesday.opens_at == at_day(2, 7)
    during = opening_status(hours, at_day(4, 10))
    assert not during.is_open
    assert during.opens_at == at_day(6, 7)
    assert during.closed_reason == {"en": "Restoration works"}


def test_closure_stops_an_overnight_range_from_starting() -> None:
    hours = parse_hours_text("mon-sun 18:00-02:00\nclosed 2026-11-24")
    assert opening_status(hours, at_day(1, 1)).is_open  # Monday night's range, started before the closure
    assert not opening_status(hours, at_day(1, 20)).is_open


def test_always_open_land_and_its_closures() -> None:
    hours = parse_hours_text("always\nclosed 2026-11-23..2026-11-24 Storm")
    status = opening_status(hours, at_day(0, 3))
    assert not status.is_open and status.opens_at == at_day(2, 0)
    assert opening_status(hours, at_day(2, 3)).always_open


def test_unknown_hours_are_reported_as_unknown() -> None:
    status = opening_status(OpeningHours(), at_day(0, 10))
    assert status.known is False and status.is_open is False


def test_text_round_trip_groups_days() -> None:
    text = "mon-fri 07:00-11:30 13:30-17:00\nsat-sun closed\n2026-02-17 closed\nclosed 2026-03-01..2026-03-31 Works"
    hours = parse_hours_text(text)
    assert format_hours_text(hours) == text
    assert parse_hours_text(format_hours_text(hours)) == hours


@pytest.mark.parametrize(
    "text",
    [
        "mon 7:00-17:00",
        "funday 07:00-17:00",
        "2026-13-01 closed",
        "mon",
        "mon 25:00-26:00",
        "closed 2026-03-05..2026-03-01",
    ],
)
def test_bad_lines_are_rejected_with_the_line_number(text: str) -> None:
    with pytest.raises(HoursSyntaxError, match="line 1"):
        parse_hours_text(text)
