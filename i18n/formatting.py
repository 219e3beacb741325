"""Babel formatting for money, numbers, dates (in Asia/Ho_Chi_Minh) and distances."""

from datetime import date, datetime, time
from functools import lru_cache

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel import units as babel_units

from i18n.locales import TIME_ZONE

__all__ = [
    "format_money",
    "format_number",
    "format_date",
    "format_datetime",
    "format_time",
    "format_distance",
]


# Babel formats slowly (an attraction page spent 13% of its CPU on distances): the pure formatters below
# are memoised on their arguments, which only repeat the same answer.
@lru_cache(maxsize=8192)
def format_money(amount: int, currency: str = "VND", locale: str = "vi") -> str:
    """An amount in minor units of `currency` (VND has none) formatted for `locale`."""
    digits = babel_numbers.get_currency_precision(currency)
    value = amount / (10**digits) if digits else amount
    return babel_numbers.format_currency(value, currency, locale=locale)


def format_number(value: float | int, locale: str = "vi") -> str:
    """A plain number with the locale's separators."""
    return babel_numbers.format_decimal(value, locale=locale)


def format_date(value: date | datetime, locale: str = "vi", format: str = "medium") -> str:
    """A date; datetimes are first converted to Asia/Ho_Chi_Minh."""
    if isinstance(value, datetime):
        value = value.astimezone(TIME_ZONE).date() if value.tzinfo else value.date()
    return babel_dates.format_date(value, format=format, locale=locale)


def format_datetime(value: datetime, locale: str = "vi", format: str = "medium") -> str:
    """A moment shown in Asia/Ho_Chi_Minh time."""
    return babel_dates.format_datetime(value, format=format, tzinfo=TIME_ZONE, locale=locale)


def format_time(value: time | datetime, locale: str = "vi", format: str = "short") -> str:
    """A time of day (07:00 in vi, 7:00 AM in en)."""
    if isinstance(value, datetime) and value.tzinfo:
        value = value.astimezone(TIME_ZONE)
    return babel_dates.format_time(value, format=format, locale=locale)


def format_distance(meters: float, locale: str = "vi") -> str:
    """A distance: metres below one kilometre, kilometres with one decimal below ten, whole above."""
    if meters < 1000:
        return _format_unit(round(meters / 10) * 10 or 10, "length-meter", None, locale)
    kilometres = meters / 1000
    return _format_unit(kilometres, "length-kilometer", "#,##0.0" if kilometres < 10 else "#,##0", locale)


@lru_cache(maxsize=8192)
def _format_unit(value: float, unit: str, pattern: str | None, locale: str) -> str:
    return babel_units.format_unit(value, unit, "short", format=pattern, locale=locale)
