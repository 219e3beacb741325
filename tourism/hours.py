"""Opening hours as data, and whether a place is open at a given instant in Asia/Ho_Chi_Minh.

A time range belongs to the day it starts on: "fri 18:00-02:00" is open until 02:00 on Saturday
morning, even if Saturday itself is a closure date. A range whose closing time is not after its
opening time runs past midnight; "00:00-24:00" is the whole day.
"""

import re
from datetime import date, datetime, time, timedelta
from typing import Annotated, Literal

import msgspec

from i18n import TIME_ZONE, LocalizedText

__all__ = [
    "WEEKDAYS",
    "TimeRange",
    "DatedHours",
    "Closure",
    "OpeningHours",
    "OpenStatus",
    "opening_status",
    "parse_hours_text",
    "format_hours_text",
    "HoursSyntaxError",
]

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ClockTime = Annotated[str, msgspec.Meta(pattern=r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")]

# How far ahead to look for the next opening: a place closed for longer says "closed" only.
LOOKAHEAD_DAYS = 14


class TimeRange(msgspec.Struct, frozen=True):
    """Open from `opens` to `closes` (HH:MM, local time); closes <= opens means past midnight."""

    opens: ClockTime
    closes: ClockTime


class DatedHours(msgspec.Struct, frozen=True, kw_only=True):
    """Different hours on one date (a holiday, a festival night); no ranges means closed that day."""

    on: date
    ranges: tuple[TimeRange, ...] = ()
    note: LocalizedText = {}


class Closure(msgspec.Struct, frozen=True, kw_only=True):
    """Closed on every date from `starts_on` to `ends_on` inclusive (works, typhoon damage)."""

    starts_on: date
    ends_on: date
    reason: LocalizedText = {}


class OpeningHours(msgspec.Struct, frozen=True, kw_only=True):
    """A week of ranges, dated exceptions and closures. `always_open` is for beaches and open land."""

    weekly: dict[Weekday, tuple[TimeRange, ...]] = {}
    exceptions: tuple[DatedHours, ...] = ()
    closures: tuple[Closure, ...] = ()
    always_open: bool = False
    verified: bool = False
    """False when the hours are an editor's sensible guess, not confirmed with the site."""
    note: LocalizedText = {}

    @property
    def known(self) -> bool:
        """True when there is anything to compute a status from."""
        return self.always_open or bool(self.weekly) or bool(self.exceptions)


class OpenStatus(msgspec.Struct, frozen=True, kw_only=True):
    """The answer for one instant; times are local (Asia/Ho_Chi_Minh)."""

    is_open: bool
    known: bool = True
    always_open: bool = False
    closes_at: datetime | None = None
    """When the current opening ends (None while closed or when always open)."""
    opens_at: datetime | None = None
    """The next opening while closed (None when none within two weeks)."""
    closed_reason: LocalizedText = {}
    """Why it is closed today (a closure's reason or an exception's note), when known."""


def _clock(value: str) -> time | None:
    """A time of day; None stands for 24:00, the end of the day."""
    if value == "24:00":
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _day_intervals(hours: OpeningHours, day: date) -> list[tuple[datetime, datetime]]:
    """The opening intervals that start on `day`, as aware local datetimes."""
    for closure in hours.closures:
        if closure.starts_on <= day <= closure.ends_on:
            return []
    ranges: tuple[TimeRange, ...] | None = None
    for exception in hours.exceptions:
        if exception.on == day:
            ranges = exception.ranges
    if ranges is None:
        ranges = hours.weekly.get(WEEKDAYS[day.weekday()], ())  # type: ignore[call-overload]
    midnight = datetime.combine(day, time(0), tzinfo=TIME_ZONE)
    intervals = []
    for item in ranges:
        opens, closes = _clock(item.opens), _clock(item.closes)
        start = midnight if opens is None else datetime.combine(day, opens, tzinfo=TIME_ZONE)
        end = midnight + timedelta(days=1) if closes is None else datetime.combine(day, closes, tzinfo=TIME_ZONE)
        if end <= start:
            end += timedelta(days=1)
        intervals.append((start, end))
    return intervals


def _merged_intervals(hours: OpeningHours, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """All intervals starting between two dates, sorted, with touching or overlapping ones joined."""
    intervals: list[tuple[datetime, datetime]] = []
    day = first
    while day <= last:
        intervals.extend(_day_intervals(hours, day))
        day += timedelta(days=1)
    intervals.sort()
    merged: list[tuple[datetime, datetime]] = []
    for start, end in intervals:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _closed_reason(hours: OpeningHours, day: date) -> LocalizedText:
    for closure in hours.closures:
        if closure.starts_on <= day <= closure.ends_on:
            return closure.reason
    for exception in hours.exceptions:
        if exception.on == day and not exception.ranges:
            return exception.note
    return {}


def opening_status(hours: OpeningHours, at: datetime) -> OpenStatus:
    """Whether the place is open at `at` (aware; naive means local time), and when that changes."""
    local = at.replace(tzinfo=TIME_ZONE) if at.tzinfo is None else at.astimezone(TIME_ZONE)
    if hours.always_open:
        today = local.date()
        if not any(c.starts_on <= today <= c.ends_on for c in hours.closures):
            return OpenStatus(is_open=True, always_open=True)
        reopen = today
        while any(c.starts_on <= reopen <= c.ends_on for c in hours.closures):
            reopen += timedelta(days=1)
        return OpenStatus(
            is_open=False,
            opens_at=datetime.combine(reopen, time(0), tzinfo=TIME_ZONE),
            closed_reason=_closed_reason(hours, today),
        )
    if not hours.known:
        return OpenStatus(is_open=False, known=False)
    # Yesterday's late ranges can still be open now.
    intervals = _merged_intervals(
        hours, local.date() - timedelta(days=1), local.date() + timedelta(days=LOOKAHEAD_DAYS)
    )
    for start, end in intervals:
        if start <= local < end:
            return OpenStatus(is_open=True, closes_at=end)
        if start > local:
            return OpenStatus(is_open=False, opens_at=start, closed_reason=_closed_reason(hours, local.date()))
    return OpenStatus(is_open=False, closed_reason=_closed_reason(hours, local.date()))


class HoursSyntaxError(ValueError):
    """A line of the editors' opening-hours text could not be read; says which line and why."""


_RANGE = re.compile(r"^(\d{2}:\d{2})-(\d{2}:\d{2})$")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


def _parse_ranges(words: list[str], line_number: int) -> tuple[TimeRange, ...]:
    if words == ["closed"]:
        return ()
    ranges = []
    for word in words:
        match = _RANGE.match(word)
        if not match or not all(_CLOCK.match(part) for part in match.groups()):
            raise HoursSyntaxError(f"line {line_number}: {word!r} is not a time range like 07:00-17:00")
        ranges.append(TimeRange(match.group(1), match.group(2)))
    return tuple(ranges)


def _parse_days(spec: str, line_number: int) -> list[str]:
    days: list[str] = []
    for part in spec.split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise HoursSyntaxError(f"line {line_number}: {part!r} is not a weekday (mon..sun) or a range of them")
        start, stop = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        index = start
        while True:
            days.append(WEEKDAYS[index])
            if index == stop:
                break
            index = (index + 1) % 7
    return days


def _parse_date(word: str, line_number: int) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise HoursSyntaxError(f"line {line_number}: {word!r} is not a date like 2026-02-17") from None


def parse_hours_text(text: str, *, verified: bool = False) -> OpeningHours:
    """Read the editors' plain-text hours, one rule per line; raise HoursSyntaxError naming the line.

    Lines: "always", "mon-fri 07:00-11:30 13:30-17:00", "sat,sun closed",
    "2026-02-17 closed", "2026-02-18 08:00-12:00", "closed 2026-03-01..2026-03-31 reason text".
    """
    weekly: dict[str, tuple[TimeRange, ...]] = {}
    exceptions: list[DatedHours] = []
    closures: list[Closure] = []
    always_open = False
    for line_number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip().lower()
        if not line:
            continue
        words = line.split()
        if words == ["always"]:
            always_open = True
        elif words[0] == "closed" and len(words) >= 2:
            first, _, last = words[1].partition("..")
            starts_on = _parse_date(first, line_number)
            ends_on = _parse_date(last, line_number) if last else starts_on
            if ends_on < starts_on:
                raise HoursSyntaxError(f"line {line_number}: the closure ends before it starts")
            reason = " ".join(raw.split("#", 1)[0].split()[2:])
            closures.append(Closure(starts_on=starts_on, ends_on=ends_on, reason={"en": reason} if reason else {}))
        elif len(words) >= 2 and words[0][:1].isdigit():
            exceptions.append(
                DatedHours(on=_parse_date(words[0], line_number), ranges=_parse_ranges(words[1:], line_number))
            )
        elif len(words) >= 2:
            ranges = _parse_ranges(words[1:], line_number)
            for day in _parse_days(words[0], line_number):
                weekly[day] = ranges
        else:
            raise HoursSyntaxError(f"line {line_number}: expected days or a date followed by times or 'closed'")
    return OpeningHours(
        weekly={day: weekly[day] for day in WEEKDAYS if day in weekly},  # type: ignore[misc]
        exceptions=tuple(sorted(exceptions, key=lambda item: item.on)),
        closures=tuple(sorted(closures, key=lambda item: item.starts_on)),
        always_open=always_open,
        verified=verified,
    )


def _ranges_text(ranges: tuple[TimeRange, ...]) -> str:
    return " ".join(f"{item.opens}-{item.closes}" for item in ranges) or "closed"


def format_hours_text(hours: OpeningHours) -> str:
    """The plain-text form `parse_hours_text` reads, with equal consecutive weekdays grouped."""
    lines: list[str] = ["always"] if hours.always_open else []
    index = 0
    while index < 7:
        day = WEEKDAYS[index]
        if day not in hours.weekly:
            index += 1
            continue
        end = index
        while end + 1 < 7 and hours.weekly.get(WEEKDAYS[end + 1]) == hours.weekly[day]:  # type: ignore[call-overload]
            end += 1
        days = day if end == index else f"{day}-{WEEKDAYS[end]}"
        lines.append(f"{days} {_ranges_text(hours.weekly[day])}")  # type: ignore[index]
        index = end + 1
    for exception in hours.exceptions:
        lines.append(f"{exception.on.isoformat()} {_ranges_text(exception.ranges)}")
    for closure in hours.closures:
        span = closure.starts_on.isoformat()
        if closure.ends_on != closure.starts_on:
            span += f"..{closure.ends_on.isoformat()}"
        reason = closure.reason.get("en") or closure.reason.get("vi") or ""
        lines.append(f"closed {span} {reason}".rstrip())
    return "\n".join(lines)
