"""QR posters: an A4 SVG and PDF with the name in several languages and a QR code to the page."""

import re
import xml.etree.ElementTree as ET

import segno

from tourism.attractions.posters import poster_names

SVG = "{http://www.w3.org/2000/svg}"


def _grid_from_path(path: str, size: int, origin: tuple[float, float], module: float) -> list[list[bool]]:
    grid = [[False] * size for _ in range(size)]
    for x, y, width in re.findall(r"M([\d.]+) ([\d.]+)h([\d.]+)", path):
        column = round((float(x) - origin[0]) / module)
        row = round((float(y) - origin[1]) / module)
        for offset in range(round(float(width) / module)):
            grid[row][column + offset] = True
    return grid


async def test_svg_poster_has_names_and_a_qr_code_to_the_page(client, demo) -> None:
    response = await client.get("/api/v1/attractions/po-klong-garai/poster.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(response.text)
    assert root.get("width") == "210mm" and root.get("height") == "297mm"
    texts = {element.text for element in root.iter(f"{SVG}text")}
    for name in (
        "Tháp Pô Klông Garai",
        "Po Klong Garai Cham Towers",
        "포클롱가라이 참탑",
        "أبراج بو كلونغ غاراي التشامية",
    ):
        assert name in texts
    arabic = next(e for e in root.iter(f"{SVG}text") if e.text == "أبراج بو كلونغ غاراي التشامية")
    assert arabic.get("direction") == "rtl"
    url = "http://127.0.0.1:8000/a/po-klong-garai"
    assert url in texts

    # The drawn modules are exactly the QR symbol of the page's short link.
    expected = [[bool(v) for v in row] for row in segno.make(url, error="m").matrix_iter(scale=1, border=0)]
    path = next(root.iter(f"{SVG}path")).get("d")
    first = re.match(r"M([\d.]+) ([\d.]+)", path)
    size = len(expected)
    module = 105.0 / size
    origin = ((210 - 105) / 2, 125.0)
    assert first is not None
    assert _grid_from_path(path, size, origin, module) == expected


async def test_short_link_sends_visitors_to_their_language(client, demo) -> None:
    response = await client.get(
        "/a/po-klong-garai", headers={"accept-language": "ko-KR,ko;q=0.9"}, follow_redirects=False
    )
    assert response.status_code == 302 and response.headers["location"] == "/ko/attractions/po-klong-garai"
    response = await client.get("/a/po-klong-garai", follow_redirects=False)
    assert response.headers["location"] == "/vi/attractions/po-klong-garai"
    assert (await client.get("/a/Not_A_Slug", follow_redirects=False)).status_code == 404


async def test_pdf_poster_is_one_a4_page(client, demo) -> None:
    response = await client.get("/api/v1/attractions/po-klong-garai/poster.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    body = response.content
    assert body.startswith(b"%PDF-") and body.rstrip().endswith(b"%%EOF")
    assert body.count(b"/Type /Page\n") + body.count(b"/Type /Page>") + body.count(b"/Type /Page ") >= 1
    assert re.search(rb"/MediaBox \[0 0 595\.2\d 841\.8\d\]", body)
    # Latin, Arabic and CJK fonts are embedded (subsets) when the system has them.
    assert body.count(b"/FontFile2") >= 2


def test_poster_names_are_distinct_and_vietnamese_first() -> None:
    from tourism.attractions.models import Attraction

    attraction = Attraction(
        id=1,
        slug="x",
        name={"en": "Same", "vi": "Tên", "fr": "Same", "ja": "名前"},
        category="beach",
        lat=11.0,
        lng=109.0,
    )
    assert poster_names(attraction) == [("vi", "Tên"), ("en", "Same"), ("ja", "名前")]


async def test_unknown_or_draft_attraction_has_no_poster(client, demo) -> None:
    assert (await client.get("/api/v1/attractions/nowhere/poster.svg")).status_code == 404
