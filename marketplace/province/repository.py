"""SQL of the province's side: officials' scopes, the indicators computed from the live tables, their snapshots.

Every indicator query takes the month as a half-open range of instants ($1 start, $2 end, in the province's
time zone) and, where a table keeps dates, the same range as dates ($3, $4). Each groups by the commune of
the merchant or attraction with `GROUPING SETS ((commune), ())`: the empty set is the whole province, marked
by `grouping(...) = 1` and returned as commune 0, so that figures that do not add up (distinct buyers,
averages, medians) are right for the province too. A merchant or attraction without a commune is -1.
Every query takes the same four parameters; one that needs only some still names the others
(`$3::date IS NOT NULL`) so that PostgreSQL knows their types.
"""

from datetime import date, datetime
from typing import Any

import asyncpg

__all__ = [
    "PROVINCE_KEY",
    "get_user_id_by_email",
    "upsert_official",
    "delete_official",
    "get_official",
    "list_officials",
    "INDICATOR_QUERIES",
    "fetch_indicator_rows",
    "list_top_zero_result_terms",
    "list_agent_onboardings",
    "replace_snapshots",
    "list_snapshots",
    "list_snapshot_periods",
    "get_snapshot_dates",
    "try_refresh_lock",
]

# The snapshot row of the whole province.
PROVINCE_KEY = 0

GET_USER_ID_BY_EMAIL = "SELECT id FROM users WHERE lower(email) = lower($1)"
UPSERT_OFFICIAL = """
INSERT INTO officials (user_id, province_code, commune_code, granted_by) VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id) DO UPDATE SET province_code = EXCLUDED.province_code, commune_code = EXCLUDED.commune_code,
    granted_by = EXCLUDED.granted_by, granted_at = now()
"""
DELETE_OFFICIAL = "DELETE FROM officials WHERE user_id = $1 RETURNING user_id"
GET_OFFICIAL = "SELECT province_code, commune_code FROM officials WHERE user_id = $1"
LIST_OFFICIALS = """
SELECT o.user_id, u.email, u.display_name, o.province_code, o.commune_code, o.granted_at
FROM officials o JOIN users u ON u.id = o.user_id
ORDER BY o.commune_code NULLS FIRST, lower(u.email)
"""


async def get_user_id_by_email(conn: asyncpg.Connection, email: str) -> int | None:
    return await conn.fetchval(GET_USER_ID_BY_EMAIL, email.strip())


async def upsert_official(conn: asyncpg.Connection, user_id: int, province_code: int, commune_code: int | None,
                          granted_by: int | None) -> None:
    await conn.execute(UPSERT_OFFICIAL, user_id, province_code, commune_code, granted_by)


async def delete_official(conn: asyncpg.Connection, user_id: int) -> bool:
    return await conn.fetchval(DELETE_OFFICIAL, user_id) is not None


async def get_official(conn: asyncpg.Connection, user_id: int) -> asyncpg.Record | None:
    return await conn.fetchrow(GET_OFFICIAL, user_id)


async def list_officials(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(LIST_OFFICIALS)


# Merchants registered, approved and active; assisted or self-service; agents onboarding households.
MERCHANTS = """
SELECT CASE WHEN grouping(m.commune_code) = 1 THEN 0 ELSE coalesce(m.commune_code, -1) END AS commune,
    count(*) FILTER (WHERE m.created_at >= $1 AND m.created_at < $2) AS merchants_registered,
    count(*) FILTER (WHERE m.status = 'approved' AND m.reviewed_at >= $1 AND m.reviewed_at < $2)
        AS merchants_approved,
    count(*) FILTER (WHERE m.status = 'approved' AND m.created_at < $2 AND (
        EXISTS (SELECT 1 FROM orders o WHERE o.merchant_id = m.id
                AND o.created_at >= least($2, now()) - interval '30 days' AND o.created_at < $2)
        OR EXISTS (SELECT 1 FROM products p WHERE p.merchant_id = m.id
                   AND p.updated_at >= least($2, now()) - interval '30 days' AND p.updated_at < $2)))
        AS merchants_active_30d,
    count(*) FILTER (WHERE m.created_at >= $1 AND m.created_at < $2 AND assisted.merchant_id IS NOT NULL)
        AS merchants_assisted,
    count(*) FILTER (WHERE m.created_at >= $1 AND m.created_at < $2 AND assisted.merchant_id IS NULL)
        AS merchants_self_service,
    count(DISTINCT assisted.agent_user_id) FILTER (WHERE assisted.created_at >= $1 AND assisted.created_at < $2)
        AS agents_onboarding,
    count(DISTINCT assisted.merchant_id) FILTER (WHERE assisted.created_at >= $1 AND assisted.created_at < $2)
        AS households_onboarded
FROM merchants m
LEFT JOIN LATERAL (
    SELECT a.merchant_id, a.agent_user_id, a.created_at FROM merchant_agents a WHERE a.merchant_id = m.id
    ORDER BY a.created_at LIMIT 1
) assisted ON true
WHERE $3::date IS NOT NULL AND $4::date IS NOT NULL
GROUP BY GROUPING SETS ((m.commune_code), ())
"""

# Published listings at the end of the month (by their current status), and those of OCOP merchants.
CATALOGUE = """
SELECT CASE WHEN grouping(m.commune_code) = 1 THEN 0 ELSE coalesce(m.commune_code, -1) END AS commune,
    count(*) FILTER (WHERE p.kind = 'goods') AS products_listed,
    count(*) FILTER (WHERE p.kind = 'experience') AS experiences_listed,
    count(*) FILTER (WHERE m.ocop_stars = 3) AS ocop_3_star,
    count(*) FILTER (WHERE m.ocop_stars = 4) AS ocop_4_star,
    count(*) FILTER (WHERE m.ocop_stars = 5) AS ocop_5_star
FROM products p JOIN merchants m ON m.id = p.merchant_id
WHERE p.status = 'published' AND p.created_at < $2 AND (p.deleted_at IS NULL OR p.deleted_at >= $2)
  AND $1::timestamptz IS NOT NULL AND $3::date IS NOT NULL AND $4::date IS NOT NULL
GROUP BY GROUPING SETS ((m.commune_code), ())
"""

# Orders placed in the month: buyers, value of those not cancelled or refunded, payment mix, delivery time.
TRADE = """
SELECT CASE WHEN grouping(m.commune_code) = 1 THEN 0 ELSE coalesce(m.commune_code, -1) END AS commune,
    count(*) AS orders,
    count(DISTINCT o.buyer_user_id) AS buyers,
    coalesce(sum(o.total) FILTER (WHERE o.status NOT IN ('pending_payment', 'cancelled', 'refunded')), 0) AS gmv,
    count(*) FILTER (WHERE o.payment_method = 'cod') AS orders_cash,
    count(*) FILTER (WHERE o.payment_method = 'vietqr') AS orders_vietqr,
    count(*) FILTER (WHERE o.payment_method = 'stripe') AS orders_card,
    round((avg(extract(epoch FROM delivered.at - o.created_at)) / 3600)::numeric, 1) AS delivery_hours,
    count(*) FILTER (WHERE o.status = 'cancelled') AS orders_cancelled,
    count(*) FILTER (WHERE o.status = 'refunded') AS orders_refunded
FROM orders o JOIN merchants m ON m.id = o.merchant_id
LEFT JOIN LATERAL (
    SELECT e.at FROM order_events e WHERE e.order_id = o.id AND e.to_status = 'delivered' ORDER BY e.id LIMIT 1
) delivered ON true
WHERE o.created_at >= $1 AND o.created_at < $2 AND $3::date IS NOT NULL AND $4::date IS NOT NULL
GROUP BY GROUPING SETS ((m.commune_code), ())
"""

REVIEWS = """
SELECT CASE WHEN grouping(m.commune_code) = 1 THEN 0 ELSE coalesce(m.commune_code, -1) END AS commune,
    round(avg(r.rating)::numeric, 2) AS rating_average,
    count(*) AS reviews
FROM reviews r JOIN merchants m ON m.id = r.merchant_id
WHERE r.created_at >= $1 AND r.created_at < $2 AND $3::date IS NOT NULL AND $4::date IS NOT NULL
GROUP BY GROUPING SETS ((m.commune_code), ())
"""

# Published attractions at the end of the month, those verified in the 12 months before it, poster scans.
ATTRACTIONS = """
SELECT CASE WHEN grouping(a.commune_code) = 1 THEN 0 ELSE coalesce(a.commune_code, -1) END AS commune,
    count(*) AS attractions,
    count(*) FILTER (WHERE a.verified_on >= ($4::date - interval '12 months')::date AND a.verified_on < $4)
        AS attractions_verified,
    coalesce(sum((SELECT sum(s.scans) FROM tourism.poster_scans s
                  WHERE s.attraction_id = a.id AND s.day >= $3 AND s.day < $4)), 0) AS poster_scans
FROM tourism.attractions a
WHERE a.status = 'published' AND a.created_at < $2 AND $1::timestamptz IS NOT NULL
GROUP BY GROUPING SETS ((a.commune_code), ())
"""

# Published events taking place during the month, in the commune of the attraction they are held at.
EVENTS = """
SELECT CASE WHEN grouping(a.commune_code) = 1 THEN 0 ELSE coalesce(a.commune_code, -1) END AS commune,
    count(*) AS events
FROM tourism.events e LEFT JOIN tourism.attractions a ON a.id = e.attraction_id
WHERE e.status = 'published' AND e.starts_on < $4 AND e.ends_on >= $3
  AND $1::timestamptz IS NOT NULL AND $2::timestamptz IS NOT NULL
GROUP BY GROUPING SETS ((a.commune_code), ())
"""

# The search log knows no commune: searches are the province's figure only.
SEARCHES = """
SELECT 0 AS commune, count(*) AS searches, count(*) FILTER (WHERE q.result_count = 0) AS searches_zero
FROM search_queries q
WHERE q.created_at >= $1 AND q.created_at < $2 AND $3::date IS NOT NULL AND $4::date IS NOT NULL
"""

# Tourists' feedback by the commune it was routed to: received in the month, resolved in the month, and the median
# time from report to resolution of those resolved in the month (a report of February resolved in March counts
# in March's).
FEEDBACK = """
SELECT CASE WHEN grouping(f.commune_code) = 1 THEN 0 ELSE coalesce(f.commune_code, -1) END AS commune,
    count(*) FILTER (WHERE f.created_at >= $1 AND f.created_at < $2) AS feedback_received,
    count(*) FILTER (WHERE f.resolved_at >= $1 AND f.resolved_at < $2) AS feedback_resolved,
    round((percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM f.resolved_at - f.created_at))
           FILTER (WHERE f.resolved_at >= $1 AND f.resolved_at < $2) / 3600)::numeric, 1) AS feedback_resolve_hours
FROM feedback f
WHERE ((f.created_at >= $1 AND f.created_at < $2) OR (f.resolved_at >= $1 AND f.resolved_at < $2))
  AND $3::date IS NOT NULL AND $4::date IS NOT NULL
GROUP BY GROUPING SETS ((f.commune_code), ())
"""

# Scans of OCOP batch labels (the short link /t/<code>) on days of the month, in the producer's commune.
TRACE_SCANS = """
SELECT CASE WHEN grouping(m.commune_code) = 1 THEN 0 ELSE coalesce(m.commune_code, -1) END AS commune,
    coalesce(sum(s.scans), 0) AS trace_scans
FROM batch_scans s JOIN product_batches b ON b.id = s.batch_id JOIN merchants m ON m.id = b.merchant_id
WHERE s.day >= $3 AND s.day < $4 AND $1::timestamptz IS NOT NULL AND $2::timestamptz IS NOT NULL
GROUP BY GROUPING SETS ((m.commune_code), ())
"""

INDICATOR_QUERIES: tuple[str, ...] = (MERCHANTS, CATALOGUE, TRADE, REVIEWS, ATTRACTIONS, EVENTS, SEARCHES, FEEDBACK,
                                      TRACE_SCANS)

TOP_ZERO_RESULT_TERMS = """
SELECT lower(trim(q.query)) AS term, count(*) AS count
FROM search_queries q
WHERE q.created_at >= $1 AND q.created_at < $2 AND q.result_count = 0 AND trim(q.query) <> ''
GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT $3
"""

AGENT_ONBOARDINGS = """
SELECT coalesce(m.commune_code, -1) AS commune, coalesce(nullif(u.display_name, ''), u.email) AS agent,
       count(*) AS households
FROM merchant_agents a JOIN merchants m ON m.id = a.merchant_id JOIN users u ON u.id = a.agent_user_id
WHERE a.created_at >= $1 AND a.created_at < $2
GROUP BY 1, 2 ORDER BY 1, count(*) DESC, 2
"""


async def fetch_indicator_rows(conn: asyncpg.Connection, start: datetime, end: datetime, first_day: date,
                               next_first_day: date) -> list[asyncpg.Record]:
    """The rows of every indicator query for the month (one row per commune and query)."""
    rows: list[asyncpg.Record] = []
    for query in INDICATOR_QUERIES:
        rows.extend(await conn.fetch(query, start, end, first_day, next_first_day))
    return rows


async def list_top_zero_result_terms(conn: asyncpg.Connection, start: datetime, end: datetime,
                                     limit: int = 10) -> list[asyncpg.Record]:
    return await conn.fetch(TOP_ZERO_RESULT_TERMS, start, end, limit)


async def list_agent_onboardings(conn: asyncpg.Connection, start: datetime, end: datetime) -> list[asyncpg.Record]:
    return await conn.fetch(AGENT_ONBOARDINGS, start, end)


DELETE_SNAPSHOTS = "DELETE FROM indicator_snapshots WHERE period = $1"
INSERT_SNAPSHOTS = """
INSERT INTO indicator_snapshots (period, commune_code, figures, computed_at)
SELECT $1, s.commune_code, s.figures, $4 FROM unnest($2::int[], $3::jsonb[]) AS s (commune_code, figures)
"""
LIST_SNAPSHOTS = """
SELECT commune_code, figures, computed_at FROM indicator_snapshots
WHERE period = $1 AND ($2::int IS NULL OR commune_code = $2 OR commune_code = 0)
ORDER BY commune_code
"""
LIST_SNAPSHOT_PERIODS = """
SELECT period, figures, computed_at FROM indicator_snapshots
WHERE commune_code = $1 AND period >= $2 AND period <= $3 ORDER BY period
"""
# One refresh of the snapshots at a time across every process (transaction-scoped, so it cannot leak).
TRY_REFRESH_LOCK = "SELECT pg_try_advisory_xact_lock(hashtext('marketplace.province.indicators'))"
REFRESH_LOCK = "SELECT pg_advisory_xact_lock(hashtext('marketplace.province.indicators'))"


async def replace_snapshots(conn: asyncpg.Connection, period: date, figures: dict[int, dict[str, Any]],
                            computed_at: datetime) -> None:
    """Replace the month's snapshots by these figures, per commune key, in the caller's transaction."""
    await conn.execute(DELETE_SNAPSHOTS, period)
    communes = list(figures)
    await conn.execute(INSERT_SNAPSHOTS, period, communes, [figures[code] for code in communes], computed_at)


async def list_snapshots(conn: asyncpg.Connection, period: date, commune_code: int | None) -> list[asyncpg.Record]:
    """The month's snapshots: every commune's and the province's, or one commune's and the province's."""
    return await conn.fetch(LIST_SNAPSHOTS, period, commune_code)


async def list_snapshot_periods(conn: asyncpg.Connection, commune_code: int, first: date,
                                last: date) -> list[asyncpg.Record]:
    """One commune's (or the province's, 0) snapshots of the months from first to last."""
    return await conn.fetch(LIST_SNAPSHOT_PERIODS, commune_code, first, last)


async def try_refresh_lock(conn: asyncpg.Connection, *, wait: bool) -> bool:
    """Take the refresh lock for this transaction; without `wait`, False when another process holds it."""
    if wait:
        await conn.execute(REFRESH_LOCK)
        return True
    return bool(await conn.fetchval(TRY_REFRESH_LOCK))


SNAPSHOT_DATES = """
SELECT min(computed_at) AS issued, max(computed_at) AS modified FROM indicator_snapshots WHERE commune_code = $1
"""


async def get_snapshot_dates(conn: asyncpg.Connection, commune_code: int) -> asyncpg.Record:
    """When a commune's (or the province's, 0) snapshots were first and last computed."""
    return await conn.fetchrow(SNAPSHOT_DATES, commune_code)
