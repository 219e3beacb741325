"""Indicators computed from the live tables, checked on a month where every number is known in advance."""

from datetime import date, datetime, timedelta

import asyncpg
import pytest

from i18n import TIME_ZONE
from marketplace.agents import service as agents
from marketplace.agents.models import AssistedMerchantCreate
from marketplace.orders import service as orders
from marketplace.platform.errors import Forbidden, Unprocessable
from marketplace.province import service
from marketplace.province.models import OfficialScope
from marketplace.reviews import service as reviews
from marketplace.reviews.models import ReviewCreate
from tests.marketplace.factories import (
    COMMUNE,
    PROVINCE,
    buy,
    make_agent,
    make_experience,
    make_merchant,
    make_product,
    make_user,
)

OTHER_COMMUNE = 22870  # Xã Ninh Phước
MARCH = date(2026, 3, 1)
PROVINCE_SCOPE = OfficialScope(PROVINCE)


def at(day: int, hour: int = 10, month: int = 3) -> datetime:
    """An instant of 2026 in the province's time zone."""
    return datetime(2026, month, day, hour, tzinfo=TIME_ZONE)


async def move(conn: asyncpg.Connection, table: str, row_id: int, column: str, when: datetime) -> None:
    await conn.execute(f"UPDATE {table} SET {column} = $2 WHERE id = $1", row_id, when)


async def _merchants(conn: asyncpg.Connection) -> dict[str, int]:
    """Self-service M1 (4 OCOP stars, 2 goods and an experience) and pending M3 in COMMUNE; assisted M2 elsewhere."""
    owner1, m1 = await make_merchant(conn, name="Nho Thái An")
    await conn.execute("UPDATE merchants SET ocop_stars = 4 WHERE id = $1", m1.id)
    grapes = await make_product(conn, owner1, m1, name="Nho đỏ", price=50_000)
    await make_product(conn, owner1, m1, name="Táo", price=30_000)
    await make_experience(conn, owner1, m1)
    await make_product(conn, owner1, m1, name="Nháp", publish=False)
    _, m3 = await make_merchant(conn, name="Rong nho", approve=False)
    agent = await make_agent(conn, OTHER_COMMUNE)
    m2 = await agents.register_assisted_merchant(conn, agent, AssistedMerchantCreate(
        shop_name="Tỏi Phước Dân", kind="household", producer_name="Bà Lan", producer_phone="0912000111",
        commune_code=OTHER_COMMUNE, address="Thôn 1", consent_given_by="Bà Lan",
        consent_method="in_person_signature", consent_at=at(2, 9)))
    await conn.execute("UPDATE merchants SET status = 'approved', reviewed_at = $2 WHERE id = $1", m2.id, at(3))
    owner2 = await make_user(conn, "merchant")
    await conn.execute("UPDATE merchants SET owner_user_id = $2 WHERE id = $1", m2.id, owner2.user_id)
    garlic = await make_product(conn, owner2, m2, name="Tỏi", price=80_000)
    for merchant_id, created, reviewed in ((m1.id, at(1), at(2)), (m3.id, at(5), None), (m2.id, at(2), at(3))):
        await conn.execute("UPDATE merchants SET created_at = $2, reviewed_at = coalesce($3, reviewed_at) "
                           "WHERE id = $1", merchant_id, created, reviewed)
    await conn.execute("UPDATE merchant_agents SET created_at = $1", at(2))
    await conn.execute("UPDATE products SET created_at = $1, updated_at = $1", at(4))
    return {"grapes": grapes.variants[0].id, "garlic": garlic.variants[0].id, "m1": m1.id, "owner1": owner1.user_id,
            "grapes_product": grapes.id, "garlic_product": garlic.id}


async def _trace_scans(conn: asyncpg.Connection, ids: dict[str, int]) -> None:
    """A batch of grapes (COMMUNE) scanned 4 + 1 times in March, 7 in February and 2 in April; a batch of garlic
    (OTHER_COMMUNE) scanned 2 times in March."""
    grapes, garlic = [await conn.fetchval(
        """INSERT INTO product_batches (product_id, merchant_id, trace_code, batch_code, date_kind, produced_on,
                                        quantity, unit)
           SELECT p.id, p.merchant_id, $2, 'LOT-1', 'harvest', '2026-02-20', 100, p.unit FROM products p
           WHERE p.id = $1 RETURNING id""", product_id, code) for product_id, code in (
        (ids["grapes_product"], "grapes2345"), (ids["garlic_product"], "garlic2345"))]
    await conn.execute("INSERT INTO batch_scans (batch_id, day, scans) VALUES ($1, '2026-03-05', 4), "
                       "($1, '2026-03-31', 1), ($1, '2026-02-28', 7), ($1, '2026-04-01', 2), ($2, '2026-03-15', 2)",
                       grapes, garlic)


async def _orders(conn: asyncpg.Connection, ids: dict[str, int]) -> None:
    """Buyer A: grapes x2 by cash (picked up, no fee), delivered 30 hours later and rated 4; grapes by VietQR,
    cancelled. Buyer B: garlic by cash, confirmed. One order of February that the month must not count."""
    buyer_a, buyer_b = await make_user(conn), await make_user(conn)
    delivered = (await buy(conn, buyer_a, ids["grapes"], 2)).order_ids[0]
    await orders.transition(conn, delivered, "shipped", ids["owner1"])
    await orders.transition(conn, delivered, "delivered", ids["owner1"])
    await orders.transition(conn, delivered, "completed", buyer_a.user_id)
    cancelled = (await buy(conn, buyer_a, ids["grapes"], 1, payment_method="vietqr")).order_ids[0]
    await orders.transition(conn, cancelled, "cancelled", buyer_a.user_id)
    garlic = (await buy(conn, buyer_b, ids["garlic"], 1)).order_ids[0]
    february = (await buy(conn, buyer_b, ids["garlic"], 1)).order_ids[0]
    for order_id, when in ((delivered, at(10)), (cancelled, at(11)), (garlic, at(12)), (february, at(20, month=2))):
        await move(conn, "orders", order_id, "created_at", when)
    await conn.execute("UPDATE order_events SET at = $2 WHERE order_id = $1 AND to_status = 'delivered'",
                       delivered, at(10) + timedelta(hours=30))
    review = await reviews.create_review(conn, buyer_a, ReviewCreate(order_id=delivered, product_id=(
        await conn.fetchval("SELECT product_id FROM order_items WHERE order_id = $1", delivered)), rating=4))
    await move(conn, "reviews", review.id, "created_at", at(15))


async def _tourism(conn: asyncpg.Connection) -> None:
    """Two attractions in COMMUNE (one verified within 12 months), one elsewhere; events; scans; searches."""
    rows = await conn.fetch(
        """INSERT INTO tourism.attractions (slug, name, category, commune_code, lat, lng, verified_on, status,
                                            created_at)
           VALUES ('thap-a', '{"vi": "Tháp A"}', 'heritage', $1, 11.6, 108.9, '2026-01-10', 'published', $3),
                  ('bien-b', '{"vi": "Biển B"}', 'beach', $1, 11.6, 109.1, '2024-05-01', 'published', $3),
                  ('lang-c', '{"vi": "Làng C"}', 'craft', $2, 11.5, 108.9, NULL, 'published', $3),
                  ('nhap-d', '{"vi": "Nháp D"}', 'craft', $2, 11.5, 108.9, NULL, 'draft', $3)
           RETURNING id""", COMMUNE, OTHER_COMMUNE, at(1, month=1))
    await conn.execute(
        """INSERT INTO tourism.events (slug, name, starts_on, ends_on, attraction_id, status) VALUES
           ('le-hoi', '{"vi": "Lễ hội"}', '2026-02-27', '2026-03-02', $1, 'published'),
           ('cho-dem', '{"vi": "Chợ đêm"}', '2026-04-01', '2026-04-02', $1, 'published')""", rows[0]["id"])
    await conn.execute("INSERT INTO tourism.poster_scans (attraction_id, day, scans) VALUES ($1, '2026-03-05', 3), "
                       "($1, '2026-03-31', 2), ($1, '2026-02-28', 5)", rows[0]["id"])
    await conn.execute(
        """INSERT INTO search_queries (query, locale, result_count, created_at) VALUES
           ('nho', 'vi', 5, $1), ('xyz', 'en', 0, $1), (' XYZ ', 'en', 0, $1), ('abc', 'vi', 0, $1),
           ('old', 'vi', 0, $2)""", at(7), at(7, month=4))


async def _feedback(conn: asyncpg.Connection) -> None:
    """Reports, by (commune, created, resolved): in COMMUNE one resolved in 10 hours, one in 30 hours, one of
    February resolved on 2 March (120 hours); in OTHER_COMMUNE one still open; one without a commune resolved in
    2 hours; one of 30 March resolved in April."""
    reports = [
        (COMMUNE, at(3, 8), at(3, 18)),
        (COMMUNE, at(20), at(21, 16)),
        (COMMUNE, at(25, month=2), at(2)),
        (OTHER_COMMUNE, at(25), None),
        (None, at(10), at(10, 12)),
        (COMMUNE, at(30), at(1, month=4)),
    ]
    for number, (commune, created, resolved) in enumerate(reports):
        await conn.execute(
            """INSERT INTO feedback (token_hash, category, body, commune_code, status, reply, created_at, resolved_at)
               VALUES ($1, 'cleanliness', 'Rác trên bãi biển', $2, $3, $4, $5, $6)""",
            bytes([number]) * 32, commune, "resolved" if resolved else "received",
            "Đã dọn" if resolved else None, created, resolved)


@pytest.fixture
async def march(conn: asyncpg.Connection) -> asyncpg.Connection:
    ids = await _merchants(conn)
    await _trace_scans(conn, ids)
    await _orders(conn, ids)
    await _tourism(conn)
    await _feedback(conn)
    return conn


async def test_province_figures_of_a_known_month(march: asyncpg.Connection) -> None:
    result = await service.get_indicators(march, PROVINCE_SCOPE, MARCH)
    assert result.period == "2026-03" and result.commune_code is None and result.name == "Khánh Hòa"
    expected = {
        "merchants_registered": 3, "merchants_approved": 2, "merchants_active_30d": 2,
        "merchants_assisted": 1, "merchants_self_service": 2, "agents_onboarding": 1, "households_per_agent": 1.0,
        "products_listed": 3, "experiences_listed": 1, "ocop_3_star": 0, "ocop_4_star": 3, "ocop_5_star": 0,
        "trace_scans": 7, "orders": 3, "buyers": 2, "gmv": 2 * 50_000 + 80_000, "orders_cash": 2, "orders_vietqr": 1,
        "orders_card": 0, "delivery_hours": 30.0, "orders_cancelled": 1, "orders_refunded": 0,
        "rating_average": 4.0, "reviews": 1,
        "attractions": 3, "events": 1, "attractions_verified_share": 33.3, "poster_scans": 5,
        "searches": 4, "searches_zero": 3,
        # Received in March: 5 (not February's); resolved in March: 10, 30, 120 and 2 hours, median 20.
        "feedback_received": 5, "feedback_resolved": 4, "feedback_resolve_hours": 20.0,
    }
    assert result.figures == expected
    assert [(t.term, t.count) for t in result.top_zero_result_terms] == [("xyz", 2), ("abc", 1)]
    assert [(a.agent, a.households) for a in result.agents] == [("Cán bộ số", 1)]
    assert [(c.commune_code, c.figures["orders"], c.figures["gmv"], c.figures["trace_scans"])
            for c in result.communes] == [(COMMUNE, 2, 100_000, 5), (OTHER_COMMUNE, 1, 80_000, 2)]


async def test_commune_figures_and_scope(march: asyncpg.Connection) -> None:
    mine = OfficialScope(PROVINCE, COMMUNE)
    result = await service.get_indicators(march, mine, MARCH, COMMUNE)
    assert result.name == "Phường Đô Vinh" and result.communes == []
    figures = result.figures
    assert (figures["merchants_registered"], figures["orders"], figures["buyers"], figures["attractions"],
            figures["attractions_verified_share"], figures["events"], figures["poster_scans"],
            figures["trace_scans"]) == (2, 2, 1, 2, 50.0, 1, 5, 5)
    assert (figures["feedback_received"], figures["feedback_resolved"], figures["feedback_resolve_hours"]) == (
        3, 3, 30.0)
    other = (await service.get_indicators(march, PROVINCE_SCOPE, MARCH, OTHER_COMMUNE)).figures
    assert (other["feedback_received"], other["feedback_resolved"], other["feedback_resolve_hours"]) == (1, 0, None)
    # The search log knows no commune.
    assert figures["searches"] == 0 and result.top_zero_result_terms == []
    with pytest.raises(Forbidden):
        await service.get_indicators(march, mine, MARCH, OTHER_COMMUNE)
    with pytest.raises(Forbidden):
        await service.get_indicators(march, mine, MARCH)


async def test_snapshots_are_kept_until_refreshed(march: asyncpg.Connection) -> None:
    first = await service.get_indicators(march, PROVINCE_SCOPE, MARCH)
    await march.execute("DELETE FROM search_queries")
    assert (await service.get_indicators(march, PROVINCE_SCOPE, MARCH)).figures["searches"] == 4
    assert await service.refresh_period(march, MARCH)
    again = await service.get_indicators(march, PROVINCE_SCOPE, MARCH)
    assert again.figures["searches"] == 0 and again.computed_at >= first.computed_at


def test_periods() -> None:
    now = datetime(2026, 12, 6, 3, tzinfo=TIME_ZONE)
    assert service.parse_period(None, now) == date(2026, 12, 1)
    assert service.parse_period("2026-01", now) == date(2026, 1, 1)
    for bad in ("2027-01", "2026-13", "26-01", "2026-1", "x"):
        with pytest.raises(Unprocessable):
            service.parse_period(bad, now)
