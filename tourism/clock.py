"""The one clock tourism's pages and API read: "now" in the province's time zone.

Opening status, the events calendar and the editors' stale list all depend on the time of day. Callers use
`clock.local_now()` through the module (never `from tourism.clock import local_now`), so a test that freezes
this module's function freezes every page at once.
"""

from datetime import date, datetime

from i18n import TIME_ZONE

__all__ = ["local_now", "local_today"]


def local_now() -> datetime:
    """The current instant, aware, in Asia/Ho_Chi_Minh."""
    return datetime.now(TIME_ZONE)


def local_today() -> date:
    """Today's date in Asia/Ho_Chi_Minh (what `local_now` says)."""
    return local_now().date()
