"""The demo data gives the province and every demo commune a dashboard with figures in it."""


import asyncpg

from marketplace.demo import seed_marketplace_demo
from marketplace.province import service
from marketplace.province.models import OfficialScope
from tests.marketplace.factories import PROVINCE
from tourism.demo.seed import seed_demo


async def test_demo_dashboard_is_not_empty(conn: asyncpg.Connection) -> None:
    await seed_demo(conn)
    await seed_marketplace_demo(conn)
    scope = OfficialScope(PROVINCE)
    period = service.parse_period(None)
    province = await service.get_indicators(conn, scope, period)
    figures = province.figures
    assert figures["merchants_registered"] >= 9 and figures["orders"] == 8 and figures["gmv"] > 0
    assert figures["attractions"] > 0 and figures["products_listed"] > 0
    demo_communes = {row["commune_code"] for row in await conn.fetch(
        "SELECT commune_code FROM merchants UNION SELECT commune_code FROM tourism.attractions "
        "WHERE commune_code IS NOT NULL")}
    assert {commune.commune_code for commune in province.communes} == demo_communes
    for code in demo_communes:
        commune = await service.get_indicators(conn, scope, period, code)
        assert any(commune.figures[key] for key in ("merchants_registered", "products_listed", "attractions")), code
    # The demo's commune official is scoped to Ninh Phước.
    scopes = await conn.fetch("SELECT commune_code FROM officials ORDER BY commune_code NULLS FIRST")
    assert [row["commune_code"] for row in scopes] == [None, 22870]
