"""In Chromium: the demo's provincial official signs in, reads the province's dashboard and downloads the XLSX
export, which is a real workbook holding the figures the dashboard shows."""

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import asyncpg
import pytest

from marketplace.demo import DEMO_PASSWORD, seed_marketplace_demo
from marketplace.province import service
from marketplace.province.models import OfficialScope
from tests.browser import LiveServer, screenshot
from tests.marketplace.factories import PROVINCE
from tourism.demo.seed import seed_demo

pytestmark = pytest.mark.browser

MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
OFFICE_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def read_xlsx(path: Path) -> dict[str, list[list[Any]]]:
    """Every sheet of a workbook by name, as rows of cell values (shared strings resolved), with zipfile only."""
    with zipfile.ZipFile(path) as book:
        names = book.namelist()
        shared = []
        if "xl/sharedStrings.xml" in names:
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{MAIN}si"):
                shared.append("".join(text.text or "" for text in item.iter(f"{MAIN}t")))
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        targets = {rel.get("Id"): rel.get("Target") for rel in relations}
        sheets: dict[str, list[list[Any]]] = {}
        for sheet in workbook.iter(f"{MAIN}sheet"):
            target = targets[sheet.get(f"{OFFICE_REL}id")].removeprefix("/xl/")
            rows = []
            for row in ElementTree.fromstring(book.read(f"xl/{target}")).iter(f"{MAIN}row"):
                rows.extend([] for _ in range(int(row.get("r", "1")) - 1 - len(rows)))  # rows left empty
                values: list[Any] = []
                for cell in row.iter(f"{MAIN}c"):
                    column = _column(cell.get("r", "A1"))
                    values.extend([None] * (column - len(values)))
                    raw = cell.findtext(f"{MAIN}v")
                    kind = cell.get("t")
                    values.append(shared[int(raw)] if kind == "s" and raw is not None else
                                  cell.findtext(f"{MAIN}is/{MAIN}t") if kind == "inlineStr" else
                                  float(raw) if raw is not None else None)
                rows.append(values)
            sheets[sheet.get("name", "")] = rows
    return sheets


def _column(reference: str) -> int:
    letters = re.match(r"[A-Z]+", reference)
    number = 0
    for letter in letters.group(0) if letters else "A":
        number = number * 26 + ord(letter) - 64
    return number - 1


@pytest.fixture
async def demo_data(pool: asyncpg.Pool) -> asyncpg.Pool:
    async with pool.acquire() as conn, conn.transaction():
        await seed_demo(conn)
        await seed_marketplace_demo(conn)
    return pool


async def test_official_reads_the_dashboard_and_downloads_the_workbook(
        live_server: LiveServer, chromium: Any, demo_data: asyncpg.Pool, tmp_path: Path) -> None:
    context = await chromium.new_context(locale="en-GB", timezone_id="Asia/Ho_Chi_Minh", java_script_enabled=False,
                                         accept_downloads=True)
    try:
        page = await context.new_page()
        await page.goto(live_server.url + "/en/account/sign-in")
        await page.fill("#email", "official.province@demo.test")
        await page.fill("#password", DEMO_PASSWORD)
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        await page.goto(live_server.url + "/en/province")
        heading = await page.inner_text("h1")
        period = re.search(r"\d{4}-\d{2}", heading)
        assert "Khánh Hòa" in heading and period, heading
        async with demo_data.acquire() as conn:
            month = service.parse_period(period.group(0))
            expected = await service.get_indicators(conn, OfficialScope(PROVINCE), month)
        assert expected.figures["orders"] > 0 and expected.communes  # the demo has trade and communes
        orders = page.locator(".figures dt", has_text=re.compile(r"^Orders$")).locator("xpath=following-sibling::dd[1]")
        assert (await orders.inner_text()).strip() == str(expected.figures["orders"])
        await screenshot(page, "province-dashboard-en")

        async with page.expect_download() as download_info:
            await page.click("a[href*='/province/indicators.xlsx']")
        download = await download_info.value
        assert download.suggested_filename == f"indicators-{period.group(0)}.xlsx"
        saved = tmp_path / download.suggested_filename
        await download.save_as(saved)
    finally:
        await context.close()

    assert zipfile.is_zipfile(saved)
    sheets = read_xlsx(saved)
    assert list(sheets) == ["Indicators", "Searches with no result", "Agents"]
    rows = sheets["Indicators"]
    assert rows[0][0].startswith(f"Khánh Hòa · {period.group(0)}")
    header = rows[2]
    assert header[:2] == ["Commune code", "Area"]
    province_row = rows[3]
    assert province_row[1] == "Khánh Hòa"
    for key, label in (("orders", "Orders"), ("gmv", "Gross merchandise value (VND)"),
                       ("attractions", "Attractions"), ("products_listed", "Products listed")):
        assert province_row[header.index(label)] == expected.figures[key], label
    commune_names = [row[1] for row in rows[4:]]
    assert commune_names == [commune.commune_name for commune in expected.communes]
