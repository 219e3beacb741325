"""Officials: granted by admins with a scope; the dashboard, a commune's page, exports and the API within it."""

import csv
import io
import re
import zipfile
from datetime import datetime

import asyncpg

from i18n import TIME_ZONE
from marketplace.platform.access import SystemActor
from marketplace.province import service
from marketplace.province.models import OfficialGrant
from tests.helpers import csrf_token, make_user, sign_in
from tests.marketplace.factories import COMMUNE, make_merchant

OTHER_COMMUNE = 22870
ADMIN = SystemActor(None, frozenset({"admin"}))


async def _official(pool: asyncpg.Pool, email: str, commune: int | None) -> None:
    await make_user(pool, email, ["customer"])
    async with pool.acquire() as connection:
        await service.grant_official(connection, ADMIN, OfficialGrant(email, commune))


async def test_commune_official_reads_only_their_commune(client, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        await make_merchant(connection)
    await _official(pool, "xa@example.vn", COMMUNE)
    await sign_in(client, "xa@example.vn")
    mine = await client.get(f"/vi/province/communes/{COMMUNE}")
    assert mine.status_code == 200 and "Phường Đô Vinh" in mine.text and "<svg" in mine.text
    assert mine.headers["cache-control"] == "private, no-store"
    assert (await client.get(f"/vi/province/communes/{OTHER_COMMUNE}")).status_code == 403
    api = await client.get("/api/v1/indicators", params={"commune": OTHER_COMMUNE})
    assert api.status_code == 403 and api.json()["error"]["code"] == "outside_scope"
    assert (await client.get("/api/v1/indicators")).status_code == 403
    assert (await client.get("/vi/province/indicators.csv", params={"commune": OTHER_COMMUNE})).status_code == 403
    # The province's page sends a commune official to their commune.
    overview = await client.get("/vi/province", params={"period": "2026-11"}, follow_redirects=False)
    assert overview.status_code == 303
    assert overview.headers["location"] == f"/vi/province/communes/{COMMUNE}?period=2026-11"
    mine_api = await client.get("/api/v1/indicators", params={"commune": COMMUNE})
    assert mine_api.status_code == 200 and mine_api.json()["figures"]["merchants_registered"] == 1


async def test_province_official_dashboard_and_exports(client, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        await make_merchant(connection)
    await _official(pool, "tinh@example.vn", None)
    await sign_in(client, "tinh@example.vn")
    page = await client.get("/ar/province")
    assert page.status_code == 200 and 'dir="rtl"' in page.text and "Phường Đô Vinh" in page.text
    assert "province.css" in page.text and page.text.count("<svg") == 3 and page.text.count("<table") >= 3
    text = (await client.get("/vi/province/indicators.csv")).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["area"] for row in rows] == ["Khánh Hòa", "Phường Đô Vinh"]
    assert rows[0]["merchants_registered"] == "1" and rows[1]["commune_code"] == str(COMMUNE)
    workbook = await client.get("/en/province/indicators.xlsx")
    assert workbook.status_code == 200 and "attachment" in workbook.headers["content-disposition"]
    sheet = zipfile.ZipFile(io.BytesIO(workbook.content)).read("xl/sharedStrings.xml").decode()
    assert "Merchants registered" in sheet and "Phường Đô Vinh" in sheet
    next_year = f"{datetime.now(TIME_ZONE).year + 1}-01"  # a month still to come whenever this runs
    assert (await client.get("/api/v1/indicators", params={"period": next_year})).status_code == 422


async def test_admin_grants_and_revokes_the_role(client, pool: asyncpg.Pool) -> None:
    await make_user(pool, "admin@example.vn", ["admin"])
    await make_user(pool, "canbo@example.vn", ["customer"])
    await sign_in(client, "admin@example.vn")
    token = await csrf_token(client, "/vi/admin/officials")
    granted = await client.post("/vi/admin/officials", data={
        "email": "canbo@example.vn", "commune_code": str(COMMUNE), "_csrf_token": token}, follow_redirects=False)
    assert granted.status_code == 303
    listing = (await client.get("/api/v1/admin/officials")).json()
    assert [(o["email"], o["commune_code"]) for o in listing] == [("canbo@example.vn", COMMUNE)]
    unknown = await client.post("/vi/admin/officials", data={"email": "nobody@example.vn", "_csrf_token": token})
    assert unknown.status_code == 404 and re.search("Không có tài khoản", unknown.text)
    revoked = await client.post(f"/vi/admin/officials/{listing[0]['user_id']}/revoke", data={"_csrf_token": token},
                                follow_redirects=False)
    assert revoked.status_code == 303
    async with pool.acquire() as connection:
        roles = await connection.fetchval("SELECT roles FROM users WHERE email = 'canbo@example.vn'")
    assert "official" not in roles


async def test_pages_need_the_role(client, pool: asyncpg.Pool) -> None:
    assert (await client.get("/vi/province", follow_redirects=False)).status_code in (302, 303, 401)
    await make_user(pool, "ed@example.vn", ["editor"])
    await sign_in(client, "ed@example.vn")
    assert (await client.get("/vi/province")).status_code == 403
    assert (await client.get("/api/v1/indicators")).status_code == 403
