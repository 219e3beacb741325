"""OCOP batch traceability through the real app: who may record a batch, its public page, its labels, its scans."""

import re
from datetime import timedelta
from typing import Any
from xml.etree import ElementTree

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from i18n import SUPPORTED_LOCALES
from marketplace.province import service as province
from marketplace.province.models import OfficialScope
from marketplace.traceability.service import _today
from tests.marketplace.factories import COMMUNE, PROVINCE
from tests.marketplace.web_helpers import Shop, page_csrf, seed_shop, sign_in_as

CERTIFICATE = "OCOP-KH-2025-017"
BATCH = {"batch_code": "NHO-2026/11", "date_kind": "harvest", "produced_on": "2026-11-20", "quantity": 120,
         "certificates": ["VietGAP 12-345", "ATTP 678/2026"], "inputs_note": "Phân hữu cơ, không thuốc trừ sâu"}


async def ocop_shop(pool: asyncpg.Pool, email: str, name: str = "Nho Thái An") -> Shop:
    shop = await seed_shop(pool, email, name)
    await pool.execute("UPDATE merchants SET ocop_stars = 4, ocop_certificate_no = $2, ocop_year = 2025 "
                       "WHERE id = $1", shop.merchant_id, CERTIFICATE)
    return shop


async def record(client: AsyncTestClient[Any], product_id: int, **changes: Any) -> Any:
    return await client.post(f"/api/v1/manage/products/{product_id}/batches", json={**BATCH, **changes})


@pytest.fixture
async def batch(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> dict[str, Any]:
    shop = await ocop_shop(pool, "nho@example.test")
    await sign_in_as(client, shop.owner_email)
    response = await record(client, shop.product_id)
    assert response.status_code == 201, response.text
    client.cookies.clear()  # what follows is read by strangers and visitors
    return {**response.json(), "shop": shop}


async def test_a_merchant_records_and_corrects_a_batch_by_api(client: AsyncTestClient[Any],
                                                              pool: asyncpg.Pool) -> None:
    shop = await ocop_shop(pool, "api@example.test")
    await sign_in_as(client, shop.owner_email)
    created = await record(client, shop.product_id)
    assert created.status_code == 201, created.text
    batch = created.json()
    assert re.fullmatch(r"[a-z2-9]{10}", batch["trace_code"]) and batch["scans"] == 0
    assert batch["certificates"] == BATCH["certificates"] and batch["unit"] == "kg"
    changed = await client.put(f"/api/v1/manage/batches/{batch['id']}", json={**BATCH, "quantity": 90})
    assert changed.status_code == 200 and changed.json()["quantity"] == 90
    assert changed.json()["trace_code"] == batch["trace_code"]  # printed labels keep working
    listed = (await client.get(f"/api/v1/manage/products/{shop.product_id}/batches")).json()
    assert [item["batch_code"] for item in listed] == ["NHO-2026/11"]
    # The rules, each a 4xx with the error shape.
    repeated = await record(client, shop.product_id)
    assert repeated.status_code == 422 and repeated.json()["error"]["code"] == "batch_code_taken"
    future = await record(client, shop.product_id, batch_code="NEXT",
                          produced_on=(_today() + timedelta(days=1)).isoformat())
    assert future.status_code == 422 and future.json()["error"]["code"] == "bad_batch_date"
    for bad in ({"quantity": 0}, {"batch_code": ""}, {"certificates": ["x" * 61]}, {"inputs_note": "x" * 2001},
                {"batch_code": "A" * 41}, {"unknown": 1}):
        response = await record(client, shop.product_id, **bad)
        assert response.status_code == 400 and "error" in response.json(), bad
    await pool.execute("UPDATE merchants SET ocop_stars = NULL WHERE id = $1", shop.merchant_id)
    not_ocop = await record(client, shop.product_id, batch_code="OTHER")
    assert not_ocop.status_code == 422 and not_ocop.json()["error"]["code"] == "not_ocop_product"


async def test_strangers_get_404_and_visitors_must_sign_in(client: AsyncTestClient[Any], pool: asyncpg.Pool,
                                                          batch: dict[str, Any]) -> None:
    shop: Shop = batch["shop"]
    anonymous = await record(client, shop.product_id, batch_code="ANON")
    assert anonymous.status_code == 401
    stranger = await ocop_shop(pool, "other@example.test", "Tỏi Phước Dân")
    await sign_in_as(client, stranger.owner_email)
    token = await page_csrf(client, f"/vi/merchant/products/{stranger.product_id}/batches")
    for method, path, body in (
        ("GET", f"/api/v1/manage/batches/{batch['id']}", None),
        ("PUT", f"/api/v1/manage/batches/{batch['id']}", BATCH),
        ("GET", f"/api/v1/manage/products/{shop.product_id}/batches", None),
        ("POST", f"/api/v1/manage/products/{shop.product_id}/batches", {**BATCH, "batch_code": "MINE"}),
        ("GET", f"/api/v1/manage/batches/{batch['id']}/labels.svg", None),
        ("GET", f"/api/v1/manage/batches/{batch['id']}/labels.pdf", None),
        ("GET", f"/vi/merchant/batches/{batch['id']}", None),
        ("GET", f"/vi/merchant/batches/{batch['id']}/labels.pdf", None),
        ("GET", f"/vi/merchant/products/{shop.product_id}/batches", None),
    ):
        response = await client.request(method, path, json=body, headers={"x-csrftoken": token})
        assert response.status_code == 404, (method, path, response.text)
    for path in (f"/vi/merchant/batches/{batch['id']}", f"/vi/merchant/products/{shop.product_id}/batches"):
        form = {"_csrf_token": token, **{k: v for k, v in BATCH.items() if k != "certificates"}, "batch_code": "X1"}
        response = await client.post(path, data=form)
        assert response.status_code == 404, path
    owner_batches = await pool.fetch("SELECT batch_code, quantity FROM product_batches")
    assert [(row["batch_code"], row["quantity"]) for row in owner_batches] == [("NHO-2026/11", 120)]


async def test_the_dashboard_form_records_a_batch_with_csrf(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    shop = await ocop_shop(pool, "form@example.test")
    await sign_in_as(client, shop.owner_email)
    manage = (await client.get(f"/vi/merchant/products/{shop.product_id}")).text
    assert f'href="/vi/merchant/products/{shop.product_id}/batches"' in manage
    form = {"batch_code": "LO-7", "date_kind": "production", "produced_on": "2026-10-02", "quantity": "1.200",
            "certificates": "VietGAP 1\nATTP 2, ISO 3", "inputs_note": "Muối biển Cà Ná"}
    refused = await client.post(f"/vi/merchant/products/{shop.product_id}/batches", data=form)
    assert refused.status_code == 403  # no CSRF token
    token = await page_csrf(client, f"/en/merchant/products/{shop.product_id}/batches")
    bad = await client.post(f"/en/merchant/products/{shop.product_id}/batches",
                            data={**form, "quantity": "0", "_csrf_token": token})
    assert bad.status_code == 422 and 'value="LO-7"' in bad.text  # the form again, as typed
    done = await client.post(f"/en/merchant/products/{shop.product_id}/batches",
                             data={**form, "_csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303, done.text
    batch_path = done.headers["location"]
    row = await pool.fetchrow("SELECT id, quantity, certificates, trace_code FROM product_batches")
    assert batch_path == f"/en/merchant/batches/{row['id']}"
    assert row["quantity"] == 1200 and row["certificates"] == ["VietGAP 1", "ATTP 2", "ISO 3"]
    page = (await client.get(batch_path)).text
    assert f"/t/{row['trace_code']}" in page and "labels.pdf" in page and "labels.svg" in page
    corrected = await client.post(batch_path, data={**form, "quantity": "1100", "_csrf_token": token},
                                  follow_redirects=False)
    assert corrected.status_code == 303
    assert await pool.fetchval("SELECT quantity FROM product_batches") == 1100


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_trace_page_in_every_locale(client: AsyncTestClient[Any], batch: dict[str, Any], locale: str) -> None:
    response = await client.get(f"/{locale}/trace/{batch['trace_code']}")
    assert response.status_code == 200
    html = response.text
    direction = "rtl" if locale == "ar" else "ltr"
    assert f'<html lang="{locale}" dir="{direction}"' in html
    assert "Nho Thái An sản phẩm" in html and "Nho Thái An" in html  # the product (vi only) and its producer
    assert "Phường Đô Vinh" in html  # the commune
    assert 'datetime="2026-11-20"' in html and "NHO-2026/11" in html
    assert CERTIFICATE in html and "VietGAP 12-345" in html and "★★★★" in html
    assert "<script" not in html.replace('<script type="application/ld+json"', "")
    if locale != "en":
        assert "Harvest date" not in html  # the labels are translated


async def test_unknown_or_malformed_codes_are_404(client: AsyncTestClient[Any], batch: dict[str, Any],
                                                  pool: asyncpg.Pool) -> None:
    for code in ("zzzzzzzzzz", "NOT-A-CODE", "a" * 300):
        assert (await client.get(f"/vi/trace/{code}")).status_code == 404
        assert (await client.get(f"/t/{code}", follow_redirects=False)).status_code == 404
        assert (await client.get(f"/api/v1/trace/{code}")).status_code == 404
    await pool.execute("UPDATE merchants SET status = 'suspended'")
    assert (await client.get(f"/vi/trace/{batch['trace_code']}")).status_code == 404
    assert await pool.fetchval("SELECT count(*) FROM batch_scans") == 0


async def test_scans_are_counted_once_per_phone_and_day_and_reach_the_indicators(
        client: AsyncTestClient[Any], batch: dict[str, Any], pool: asyncpg.Pool) -> None:
    code = batch["trace_code"]
    first = await client.get(f"/t/{code}", headers={"accept-language": "fr-FR,fr;q=0.9"}, follow_redirects=False)
    assert first.status_code == 302 and first.headers["location"] == f"/fr/trace/{code}"
    again = await client.get(f"/t/{code}", headers={"accept-language": "fr"}, follow_redirects=False)
    assert again.status_code == 302  # the same phone within a day: not counted again
    client.cookies.clear()  # another phone
    assert (await client.get(f"/t/{code}", follow_redirects=False)).status_code == 302
    assert (await client.get(f"/vi/trace/{code}")).status_code == 200  # reading the page is no scan
    assert await pool.fetchval("SELECT sum(scans) FROM batch_scans") == 2
    api = (await client.get(f"/api/v1/trace/{code}")).json()
    assert api["scans"] == 2 and api["ocop_stars"] == 4
    assert "2" in (await client.get(f"/en/trace/{code}")).text.split("Scanned")[1][:10]
    async with pool.acquire() as conn:
        period = province.parse_period(None)
        await province.refresh_period(conn, period)
        figures = await province.get_indicators(conn, OfficialScope(PROVINCE), period)
    assert figures.figures["trace_scans"] == 2
    assert [(c.commune_code, c.figures["trace_scans"]) for c in figures.communes] == [(COMMUNE, 2)]


async def test_label_sheets(client: AsyncTestClient[Any], batch: dict[str, Any], settings: Any) -> None:
    await sign_in_as(client, batch["shop"].owner_email)
    svg = await client.get(f"/api/v1/manage/batches/{batch['id']}/labels.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ElementTree.fromstring(svg.text)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(root.findall(f"{ns}use")) == 21
    link = f"{settings.base_url}/t/{batch['trace_code']}"
    assert link in svg.text and "NHO-2026/11" in svg.text and "20/11/2026" in svg.text
    assert len(root.findall(f".//{ns}polygon")) == 4  # the OCOP stars
    cached = await client.get(f"/api/v1/manage/batches/{batch['id']}/labels.svg",
                              headers={"if-none-match": svg.headers["etag"]})
    assert cached.status_code == 304
    pdf = await client.get(f"/vi/merchant/batches/{batch['id']}/labels.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-") and b"NHO-2026/11" not in pdf.content[:0]
