"""Officials and their scope, and the indicators of a month: computed from the live tables, kept as snapshots.

A snapshot is computed when a month is first asked for, and the indicators job (`refresh_recent`) recomputes the
current and the previous month every few minutes, so pages read one row per commune and say when it was computed.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import asyncpg
import msgspec

from i18n import TIME_ZONE
from marketplace.accounts.service import grant_role, revoke_role
from marketplace.platform.access import Actor
from marketplace.platform.divisions import DEFAULT_PROVINCE_CODE, check_commune, commune_name, province_name
from marketplace.platform.errors import Forbidden, NotFound, Unprocessable
from marketplace.province import repository
from marketplace.province.models import (
    INDICATORS,
    AgentCount,
    CommuneFigures,
    Figures,
    Indicators,
    Official,
    OfficialGrant,
    OfficialScope,
    TermCount,
)

__all__ = [
    "REFRESH_SECONDS",
    "grant_official",
    "revoke_official",
    "list_officials",
    "official_scope",
    "check_scope",
    "parse_period",
    "period_label",
    "month_bounds",
    "compute_figures",
    "refresh_period",
    "get_indicators",
    "get_trend",
    "refresh_recent",
    "run_indicators_job",
    "PUBLIC_MONTHS",
    "list_public_indicators",
    "get_public_indicator_dates",
]

log = logging.getLogger("marketplace.province")
REFRESH_SECONDS = 600
# Kept in a snapshot beside the figures: the province's top terms, a commune's agents.
TERMS_KEY = "top_zero_result_terms"
AGENTS_KEY = "agents"


async def grant_official(conn: asyncpg.Connection, actor: Actor | None, grant: OfficialGrant) -> Official:
    """Make an existing account an official of the province or of one of its communes (admins only)."""
    if actor is None or not actor.has_role("admin"):
        raise Forbidden("Only an admin grants the official role.", code="admin_only")
    if grant.commune_code is not None:
        check_commune(grant.commune_code, DEFAULT_PROVINCE_CODE)
    user_id = await repository.get_user_id_by_email(conn, grant.email)
    if user_id is None:
        raise NotFound("No account with this e-mail.", code="user_not_found")
    await repository.upsert_official(conn, user_id, DEFAULT_PROVINCE_CODE, grant.commune_code, actor.user_id)
    await grant_role(conn, user_id, "official")
    return next(official for official in await list_officials(conn) if official.user_id == user_id)


async def revoke_official(conn: asyncpg.Connection, actor: Actor | None, user_id: int) -> None:
    """Take the official role and its scope away (admins only)."""
    if actor is None or not actor.has_role("admin"):
        raise Forbidden("Only an admin revokes the official role.", code="admin_only")
    if not await repository.delete_official(conn, user_id):
        raise NotFound("This account is not an official.", code="official_not_found")
    await revoke_role(conn, user_id, "official")


async def list_officials(conn: asyncpg.Connection) -> list[Official]:
    """Every official with their scope."""
    return [msgspec.convert(dict(row), Official) for row in await repository.list_officials(conn)]


async def official_scope(conn: asyncpg.Connection, actor: Actor | None) -> OfficialScope:
    """What this principal may read: admins the province, officials their scope; 403 for anyone else."""
    if actor is not None and actor.has_role("admin"):
        return OfficialScope(DEFAULT_PROVINCE_CODE)
    row = await repository.get_official(conn, actor.user_id) if actor and actor.user_id else None
    if row is None or not actor or not actor.has_role("official"):
        raise Forbidden("Only officials read the indicators.", code="not_an_official")
    return OfficialScope(row["province_code"], row["commune_code"])


def check_scope(scope: OfficialScope, commune_code: int | None) -> None:
    """403 when a commune official asks for the province or for another commune."""
    if scope.commune_code is not None and commune_code != scope.commune_code:
        raise Forbidden("Your scope is one commune: you may read only its indicators.", code="outside_scope",
                        details={"commune_code": scope.commune_code})
    if commune_code is not None:
        check_commune(commune_code, scope.province_code)


def _this_month(now: datetime | None = None) -> date:
    local = (now or datetime.now(UTC)).astimezone(TIME_ZONE)
    return date(local.year, local.month, 1)


def parse_period(text: str | None, now: datetime | None = None) -> date:
    """The first day of a month written YYYY-MM (default: this month); 422 for another shape or the future."""
    this_month = _this_month(now)
    if not text:
        return this_month
    try:
        year, month = (int(part) for part in text.split("-"))
        period = date(year, month, 1)
    except ValueError:
        raise Unprocessable("Give the month as YYYY-MM.", code="bad_period", details={"period": text}) from None
    if len(text) != 7 or period > this_month or year < 2000:
        raise Unprocessable("Give a past or the current month as YYYY-MM.", code="bad_period",
                            details={"period": text})
    return period


def period_label(period: date) -> str:
    """YYYY-MM."""
    return f"{period.year:04d}-{period.month:02d}"


def _next_month(period: date) -> date:
    return date(period.year + period.month // 12, period.month % 12 + 1, 1)


def _months_before(period: date, count: int) -> date:
    index = period.year * 12 + period.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def month_bounds(period: date) -> tuple[datetime, datetime, date, date]:
    """The month as instants in the province's time zone and as dates, each half-open."""
    following = _next_month(period)
    start = datetime(period.year, period.month, 1, tzinfo=TIME_ZONE)
    end = datetime(following.year, following.month, 1, tzinfo=TIME_ZONE)
    return start, end, period, following


def _number(value: Any) -> float | int | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _derive(figures: dict[str, Any]) -> None:
    """Ratios computed from the counts (None when there is nothing to divide by)."""
    agents, households = figures.get("agents_onboarding") or 0, figures.get("households_onboarded") or 0
    figures["households_per_agent"] = round(households / agents, 1) if agents else None
    attractions, verified = figures.get("attractions") or 0, figures.get("attractions_verified") or 0
    figures["attractions_verified_share"] = round(100 * verified / attractions, 1) if attractions else None


async def compute_figures(conn: asyncpg.Connection, period: date) -> dict[int, dict[str, Any]]:
    """Every commune's figures of the month and the province's (key 0), from the live tables."""
    start, end, first_day, next_first_day = month_bounds(period)
    figures: dict[int, dict[str, Any]] = {repository.PROVINCE_KEY: {}}
    for row in await repository.fetch_indicator_rows(conn, start, end, first_day, next_first_day):
        values = figures.setdefault(row["commune"], {})
        values.update({key: _number(value) for key, value in row.items() if key != "commune"})
    for values in figures.values():
        for indicator in INDICATORS:
            # A figure no query returned for this commune: a count is 0; an average has nothing to average.
            values.setdefault(indicator.key, 0 if indicator.unit in ("count", "money") else None)
        _derive(values)
    terms = await repository.list_top_zero_result_terms(conn, start, end)
    figures[repository.PROVINCE_KEY][TERMS_KEY] = [[row["term"], row["count"]] for row in terms]
    for row in await repository.list_agent_onboardings(conn, start, end):
        for key in (row["commune"], repository.PROVINCE_KEY):
            figures.setdefault(key, {}).setdefault(AGENTS_KEY, []).append([row["agent"], row["households"]])
    return figures


async def refresh_period(conn: asyncpg.Connection, period: date, *, wait: bool = True,
                         now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> bool:
    """Recompute the month's snapshots in one transaction; False when another process is refreshing."""
    async with conn.transaction():
        if not await repository.try_refresh_lock(conn, wait=wait):
            return False
        await repository.replace_snapshots(conn, period, await compute_figures(conn, period), now())
    return True


async def _snapshots(conn: asyncpg.Connection, period: date, commune_code: int | None) -> list[asyncpg.Record]:
    """The month's snapshots, computed now if nobody has asked for this month before."""
    rows = await repository.list_snapshots(conn, period, commune_code)
    if not rows:
        await refresh_period(conn, period)
        rows = await repository.list_snapshots(conn, period, commune_code)
    return rows


def _figures(stored: dict[str, Any]) -> Figures:
    return {indicator.key: stored.get(indicator.key) for indicator in INDICATORS}


async def get_indicators(conn: asyncpg.Connection, scope: OfficialScope, period: date,
                         commune_code: int | None = None) -> Indicators:
    """The month's indicators for the province (with its table of communes) or one commune, within the scope."""
    check_scope(scope, commune_code)
    rows = await _snapshots(conn, period, commune_code)
    by_commune = {row["commune_code"]: row for row in rows}
    # A commune where nothing happened has no row of its own: its figures are zeros as of the province's.
    row = by_commune.get(commune_code if commune_code is not None else repository.PROVINCE_KEY)
    stored = row["figures"] if row is not None else {}
    computed_at = (row or by_commune[repository.PROVINCE_KEY])["computed_at"]
    communes = [] if commune_code is not None else sorted(
        (CommuneFigures(commune_code=code, commune_name=commune_name(code), figures=_figures(item["figures"]))
         for code, item in by_commune.items() if code > 0),
        key=lambda commune: commune.commune_name)
    return Indicators(
        period=period_label(period), province_code=scope.province_code, commune_code=commune_code,
        name=commune_name(commune_code) if commune_code is not None else province_name(scope.province_code),
        computed_at=computed_at, figures=_figures(stored) if stored else _zero_figures(),
        top_zero_result_terms=[TermCount(term, count) for term, count in stored.get(TERMS_KEY, [])],
        agents=[AgentCount(agent, households) for agent, households in stored.get(AGENTS_KEY, [])],
        communes=communes)


def _zero_figures() -> Figures:
    """The figures of a commune where nothing happened in the month."""
    values: dict[str, Any] = {indicator.key: 0 if indicator.unit in ("count", "money") else None
                              for indicator in INDICATORS}
    return values


async def get_trend(conn: asyncpg.Connection, scope: OfficialScope, period: date, commune_code: int | None,
                    months: int = 6) -> list[tuple[str, Figures]]:
    """The figures of the `months` months up to `period`, oldest first (computing any month not yet kept)."""
    check_scope(scope, commune_code)
    first = _months_before(period, months - 1)
    key = commune_code if commune_code is not None else repository.PROVINCE_KEY
    month = first
    while month <= period:
        await _snapshots(conn, month, commune_code)
        month = _next_month(month)
    kept = {row["period"]: row["figures"] for row in await repository.list_snapshot_periods(conn, key, first, period)}
    trend = []
    month = first
    while month <= period:
        trend.append((period_label(month), _figures(kept[month]) if month in kept else _zero_figures()))
        month = _next_month(month)
    return trend


async def refresh_recent(pool: asyncpg.Pool, now: datetime | None = None) -> bool:
    """Recompute this month and the previous one, unless another process is doing it right now."""
    this_month = _this_month(now)
    async with pool.acquire() as conn:
        refreshed = await refresh_period(conn, this_month, wait=False)
        if refreshed:
            await refresh_period(conn, _months_before(this_month, 1), wait=False)
    return refreshed


async def run_indicators_job(pool: asyncpg.Pool, stop_event: asyncio.Event,
                             interval_seconds: float = REFRESH_SECONDS) -> None:
    """Keep the recent months' snapshots fresh until stopped; survives a database restart."""
    while not stop_event.is_set():
        try:
            await refresh_recent(pool)
        except Exception:  # the database may be restarting; try again next round
            log.warning("refreshing the indicators failed", exc_info=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop_event.wait(), timeout=interval_seconds)



# The open data of indicators: the province's own row of each month kept, for the last two years. Not the
# communes' rows (a commune with one or two sellers would publish their trade), nor the top unanswered searches
# (what people typed may name a person) or the agents' names: those stay for officials.
PUBLIC_MONTHS = 24


async def list_public_indicators(conn: asyncpg.Connection, now: datetime | None = None) -> list[tuple[str, Figures]]:
    """The province's figures of each month already computed (the indicators job keeps them), oldest first.

    It computes nothing itself: a public download must not start the indicator queries on demand.
    """
    last = _this_month(now)
    first = _months_before(last, PUBLIC_MONTHS - 1)
    rows = await repository.list_snapshot_periods(conn, repository.PROVINCE_KEY, first, last)
    return [(period_label(row["period"]), _figures(row["figures"])) for row in rows]


async def get_public_indicator_dates(conn: asyncpg.Connection) -> tuple[datetime | None, datetime | None]:
    """When the province's indicators were first and last computed."""
    row = await repository.get_snapshot_dates(conn, repository.PROVINCE_KEY)
    return row["issued"], row["modified"]
