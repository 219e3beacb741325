"""The search API, autocomplete and the search page through the real app, in vi, en and ar."""

import re

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from marketplace.platform.runtime import runtime_of
from search import service
from search.postgres import PostgresEngine
from tests.helpers import eventually, make_user, sign_in
from tests.search.search_samples import DOCUMENTS


@pytest.fixture
async def indexed(pool: asyncpg.Pool, client: AsyncTestClient) -> AsyncTestClient:
    """The app's client, with the shared listings in the app's own database."""
    await PostgresEngine(pool).upsert(DOCUMENTS)
    return client


@pytest.fixture(autouse=True)
def quick_search_log(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "SEARCH_LOG_FLUSH_SECONDS", 0.05)


async def logged(client: AsyncTestClient, pool: asyncpg.Pool) -> list[tuple[str, str, int]]:
    """The search counters, once the app (in the test client's event loop) has written what it counted."""
    app_pool = runtime_of(client.app.state).require_pool()
    await eventually(lambda: not service.search_log_pending(app_pool))
    async with pool.acquire() as connection:
        rows = await connection.fetch("SELECT query, locale, results_total / searches AS results "
                                      "FROM search_query_daily ORDER BY query, locale")
    return [(row["query"], row["locale"], row["results"]) for row in rows]


async def test_api_search_returns_hits_facets_and_highlights(indexed: AsyncTestClient, pool: asyncpg.Pool) -> None:
    response = await indexed.get("/api/v1/search", params={"q": "gom bau truc", "locale": "vi"})
    assert response.status_code == 200
    body = response.json()
    assert body["hits"][0]["document"]["id"] == "product:gom-bau-truc"
    assert body["hits"][0]["highlight"] == "<mark>Gốm</mark> <mark>Bàu</mark> <mark>Trúc</mark>"
    assert {f["value"] for f in body["facets"]["kind"]} == {"product", "experience"}
    assert body["estimated_total"] == 2 and body["page"] == 1
    assert await logged(indexed, pool) == [("gom bau truc", "vi", 2)]


async def test_api_filters_geo_and_paging(indexed: AsyncTestClient) -> None:
    response = await indexed.get("/api/v1/search", params=[
        ("kind", "attraction"), ("kind", "event"), ("locale", "en"), ("per_page", "2"), ("page", "2"),
        ("sort", "popularity"), ("facet", "kind"),
    ])
    body = response.json()
    assert response.status_code == 200, body
    assert [hit["document"]["id"] for hit in body["hits"]] == ["attraction:doi-cat-nam-cuong", "event:kate"]
    assert list(body["facets"]) == ["kind"] and body["estimated_total"] == 4
    near = await indexed.get("/api/v1/search", params={"lat": "11.6106", "lng": "108.8496", "radius": "1000",
                                                       "sort": "distance"})
    assert [hit["document"]["id"] for hit in near.json()["hits"]] == ["product:gom-bau-truc", "experience:lam-gom"]
    assert near.json()["hits"][1]["distance_m"] > 0


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"sort": "cheapest"}, "sort"),
        ({"kind": "spaceship"}, "kind"),
        ({"lat": "11.6"}, "lat"),
        ({"price_min": "cheap"}, "price_min"),
        ({"sort": "distance"}, "distance"),
        ({"facet": "password"}, "facet"),
        ({"q": "x" * 201}, ""),
        ({"page": "0"}, ""),
        ({"per_page": "500"}, ""),
    ],
)
async def test_api_refuses_bad_parameters_with_a_reason(
    indexed: AsyncTestClient, params: dict[str, str], reason: str
) -> None:
    response = await indexed.get("/api/v1/search", params=params)
    assert response.status_code == 400, response.text
    assert reason in response.text


@pytest.mark.parametrize(
    ("locale", "typed", "expected"),
    [("vi", "thap po", "Tháp Pô Klông Garai"), ("en", "thap po", "Po Klong Garai Cham Towers"),
     ("ar", "thap po", "أبراج بو كلونغ غاراي")],
)
async def test_autocomplete_in_the_visitors_locale(
    indexed: AsyncTestClient, pool: asyncpg.Pool, locale: str, typed: str, expected: str
) -> None:
    response = await indexed.get("/api/v1/search/suggest", params={"q": typed, "locale": locale})
    assert response.status_code == 200
    suggestions = response.json()
    assert suggestions[0] == {"text": expected, "kind": "attraction", "url_path": "/attractions/po-klong-garai"}
    many = (await indexed.get("/api/v1/search/suggest", params={"q": "n", "locale": locale})).json()
    assert len(many) <= 8
    assert await logged(indexed, pool) == []  # keystrokes are not searches


async def test_search_page_in_vietnamese(indexed: AsyncTestClient) -> None:
    response = await indexed.get("/vi/search", params={"q": "nho ninh thuan"})
    assert response.status_code == 200
    html = response.text
    assert '<html lang="vi" dir="ltr">' in html
    title = '<mark>Nho</mark> <mark>Ninh</mark> <mark>Thuận</mark>'
    assert f'<a class="hit-title" href="/vi/products/nho-xanh" lang="vi" dir="ltr">{title}</a>' in html
    assert 'value="nho ninh thuan"' in html
    # Facets work without JavaScript: plain links and check boxes in a GET form.
    assert 'href="?q=nho+ninh+thuan&amp;kind=product"' in html
    assert re.search(r'<input type="checkbox" name="kind" value="product"\s*>', html)
    assert "search.css" in html and "<script>" not in html


async def test_search_page_in_english_with_a_filter(indexed: AsyncTestClient) -> None:
    response = await indexed.get("/en/search", params=[("q", "cham"), ("kind", "attraction")])
    assert response.status_code == 200
    html = response.text
    assert "Po Klong Garai" in html and "Kate Festival" not in html
    assert re.search(r'<input type="checkbox" name="kind" value="attraction"\s*checked>', html)
    # The active filter is a link that removes it.
    assert 'href="?q=cham"' in html


async def test_search_page_in_arabic_is_right_to_left(indexed: AsyncTestClient) -> None:
    response = await indexed.get("/ar/search", params={"q": "gom bau truc"})
    assert response.status_code == 200
    assert '<html lang="ar" dir="rtl">' in response.text
    # The match is in the Vietnamese name, the Arabic name is what is shown; the dictionary knows that
    # "gốm" is "فخار", so the Arabic word is marked too.
    assert "<mark>فخار</mark> <mark>باو</mark> <mark>تروك</mark>" in response.text


async def test_did_you_mean_when_nothing_is_found(indexed: AsyncTestClient, pool: asyncpg.Pool) -> None:
    response = await indexed.get("/en/search", params={"q": "poterry"})
    assert response.status_code == 200
    html = response.text
    assert "Nothing found for “poterry”." in html
    assert re.search(r'Did you mean <a href="/en/search\?q=(pottery|poterie)">', html)
    assert await logged(indexed, pool) == [("poterry", "en", 0)]


async def test_page_escapes_the_query(indexed: AsyncTestClient) -> None:
    response = await indexed.get("/vi/search", params={"q": '"><script>alert(1)</script>'})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text


async def test_query_log_masks_personal_data(indexed: AsyncTestClient, pool: asyncpg.Pool) -> None:
    await indexed.get("/api/v1/search", params={"q": "Gọi 0905 123 456 hoặc an@example.vn", "locale": "vi"})
    await indexed.get("/api/v1/search", params={"q": "nho", "page": "2"})  # later pages are not new searches
    assert await logged(indexed, pool) == [("gọi … hoặc …", "vi", 0)]
    async with pool.acquire() as connection:
        columns = {r["column_name"] for r in await connection.fetch(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'search_queries'")}
    assert columns == {"id", "query", "locale", "result_count", "created_at"}


async def test_query_report_is_for_editors(indexed: AsyncTestClient, pool: asyncpg.Pool) -> None:
    from marketplace.accounts.service import create_api_token

    for q in ("nho", "nho", "poterry", "gom"):
        await indexed.get("/api/v1/search", params={"q": q, "locale": "en"})
    assert (await indexed.get("/api/v1/search/queries")).status_code in (401, 403)
    async with pool.acquire() as connection:
        customer = await create_api_token(connection, name="c", roles=["customer"], created_by=None)
        editor = await create_api_token(connection, name="e", roles=["editor"], created_by=None)
    forbidden = await indexed.get("/api/v1/search/queries", headers={"authorization": f"Bearer {customer.token}"})
    assert forbidden.status_code == 403
    response = await indexed.get("/api/v1/search/queries", headers={"authorization": f"Bearer {editor.token}"})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["searches"] == 4 and report["without_results"] == 1
    assert report["top"][0] == {"query": "nho", "searches": 2, "average_results": 4, "without_results": 0}
    assert [row["query"] for row in report["not_found"]] == ["poterry"]


async def test_search_page_without_a_query_browses_and_pages(indexed: AsyncTestClient, pool: asyncpg.Pool) -> None:
    response = await indexed.get("/en/search", params={"per_page": "5"})
    assert response.status_code == 200
    html = response.text
    assert html.count('class="hit-title"') == 5
    assert 'rel="next" href="?per_page=5&amp;page=2"' in html and 'rel="prev"' not in html
    second = await indexed.get("/en/search", params={"per_page": "5", "page": "2"})
    assert 'rel="prev" href="?per_page=5"' in second.text
    assert await logged(indexed, pool) == []  # browsing without text is not a search to report


async def test_the_page_titles_results_by_name_labels_facets_and_says_free(indexed: AsyncTestClient,
                                                                           pool: asyncpg.Pool) -> None:
    from tests.search.search_samples import doc

    free = doc("attraction:bai-bien", name={"vi": "Bãi biển Bình Sơn", "en": "Binh Son beach"},
               summary={"en": "A long public beach, largest of the town."}, category="beach",
               price_min=0, price_max=0)
    grapes = doc("product:nho-do", name={"vi": "Nho đỏ Phước Thuận"}, category="fresh-fruit", price_min=40000)
    await PostgresEngine(pool).upsert([free, grapes])
    page = (await indexed.get("/en/search", params={"q": "largest"})).text
    title = re.search(r'class="hit-title"[^>]*>(.*?)</a>', page, re.S)
    assert title and title.group(1) == "Binh Son beach"
    assert 'class="snippet" lang="en"' in page and "<mark>largest</mark>" in page
    assert "Free" in page and "0 ₫" not in page and "₫0" not in page
    facets = (await indexed.get("/vi/search", params={"q": "nho do"})).text
    # Category facets are labelled in the visitor's language, never shown as slugs ("Fresh-fruit").
    assert "Fresh fruit" not in facets and "Fresh-fruit" not in facets and "Trái cây tươi" in facets
    assert "Ngọn hải đăng" not in facets and "Bãi biển" in (await indexed.get("/vi/search",
                                                                            params={"q": "binh son"})).text


async def test_the_search_page_of_a_signed_in_visitor_is_never_publicly_cacheable(
    indexed: AsyncTestClient, pool: asyncpg.Pool
) -> None:
    # Issue 10, point 11: the page holds the visitor's name and a CSRF token; it was sent "public, max-age=30".
    await make_user(pool, "lan.search@example.vn", ["customer"])
    await sign_in(indexed, "lan.search@example.vn")
    response = await indexed.get("/vi/search", params={"q": "gom bau truc"})
    assert response.status_code == 200 and "lan.search" in response.text and "_csrf_token" in response.text
    cache_control = response.headers["cache-control"]
    assert "public" not in cache_control and "private" in cache_control


@pytest.mark.parametrize(("locale", "page_dir"), [("ar", "rtl"), ("zh", "ltr")])
async def test_fallback_language_titles_and_snippets_carry_their_own_lang_and_dir(
    indexed: AsyncTestClient, pool: asyncpg.Pool, locale: str, page_dir: str
) -> None:
    from tests.search.search_samples import doc

    # Written in English and Vietnamese only: an Arabic or Chinese page shows the English text.
    dunes = doc("attraction:doi-cat", name={"vi": "Đồi cát Mũi Dinh", "en": "Mui Dinh sand dunes"},
                summary={"en": "Tall windswept dunes above the sea."}, category="nature")
    # Named in the visitor's language too: that title needs no other language.
    wine = doc("product:vang", name={"vi": "Vang nho", "en": "Grape wine", "ar": "نبيذ العنب", "zh": "葡萄酒"},
               summary={"vi": "Vang đỏ windswept."}, category="wine")
    await PostgresEngine(pool).upsert([dunes, wine])
    page = (await indexed.get(f"/{locale}/search", params={"q": "windswept"})).text
    assert f'<html lang="{locale}" dir="{page_dir}"' in page
    titles = dict((name, attributes) for attributes, name in
                  re.findall(r'<a class="hit-title" href="[^"]+" ([^>]*)>(?:<mark>)?([^<]+)', page))
    assert titles["Mui Dinh sand dunes"] == 'lang="en" dir="ltr"'
    native = "نبيذ العنب" if locale == "ar" else "葡萄酒"
    assert titles[native] == f'lang="{locale}" dir="{page_dir}"'
    snippets = re.findall(r'<p class="snippet" lang="([^"]+)" dir="([^"]+)">(.*?)</p>', page)
    assert ("en", "ltr", "Tall <mark>windswept</mark> dunes above the sea.") in snippets
    assert ("vi", "ltr", "Vang đỏ <mark>windswept</mark>.") in snippets
