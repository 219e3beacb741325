"""The demo in all eight locales, shown in the visitor's own language; no unmarked English on Arabic pages."""

import json
import re

import asyncpg
from markupsafe import escape

from marketplace.demo import seed_marketplace_demo
from marketplace.demo.seed import translation_gaps
from tests.lang_runs import runs_containing, text_runs
from tourism.demo.seed import LOCALES_PATH, seed_demo

# Three or more plain Latin words in a row: a sentence or phrase in English or French, not a Vietnamese
# place name (with its tone marks) or a code such as VietGAP.
LATIN_PHRASE = re.compile(r"\b[A-Za-z]{2,}(?:[ ,.'-]+[A-Za-z]{2,}){2,}\b")


def unmarked_latin_phrases(html: str) -> list[str]:
    """Latin phrases in text that inherits lang="ar" (or no lang at all); text people typed in a language
    nobody recorded (a review, a buyer's name) is isolated with dir="auto" or <bdi> and not counted."""
    return [
        text.strip()
        for text, lang, direction in text_runs(html)
        if lang in (None, "ar") and direction != "auto" and LATIN_PHRASE.search(text)
    ]


def test_the_check_sees_an_unmarked_english_sentence() -> None:
    html = '<html lang="ar" dir="rtl"><body><p>A group of three towers.</p><p lang="en" dir="ltr">Marked.</p>'
    assert unmarked_latin_phrases(html) == ["A group of three towers."]
    assert unmarked_latin_phrases('<html lang="ar"><p>أبراج (Tháp Pô Klông Garai)</p>') == []
    typed = '<html lang="ar"><p><bdi>Kim Ji-woo</bdi></p><p dir="auto">Great taste, fast.</p>'
    assert unmarked_latin_phrases(typed) == []


def test_every_demo_product_experience_and_merchant_is_translated() -> None:
    assert translation_gaps() == []


def test_every_demo_attraction_has_tips_in_every_locale() -> None:
    attractions = json.loads(LOCALES_PATH.read_text(encoding="utf-8"))["attractions"]
    assert len(attractions) == 27
    missing = [
        (slug, locale)
        for slug, text in attractions.items()
        for locale in ("vi", "en", "zh", "ko", "ja", "ru", "fr", "ar")
        if not (text.get("tips") or {}).get(locale, "").strip()
    ]
    assert missing == []


async def test_demo_pages_speak_the_visitors_language(client, pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
        await seed_marketplace_demo(connection)
        products = await connection.fetch("SELECT slug, name, description FROM products WHERE status = 'published'")
        shops = await connection.fetch("SELECT slug, name, story FROM merchants WHERE status = 'approved'")
    assert len(products) >= 28 and len(shops) == 9
    for locale in ("zh", "ko", "ar"):
        for product in products:
            page = (await client.get(f"/{locale}/products/{product['slug']}")).text
            assert str(escape(product["name"][locale])) in page, (locale, product["slug"])
            assert str(escape(product["description"][locale])) in page, (locale, product["slug"])
        for shop in shops:
            page = (await client.get(f"/{locale}/shops/{shop['slug']}")).text
            assert str(escape(shop["name"][locale])) in page and str(escape(shop["story"][locale])) in page
    # Nothing in English on an Arabic product page: the description is Arabic, in the page's own language.
    grapes = next(p for p in products if p["slug"].startswith("nho-do"))
    arabic = (await client.get(f"/ar/products/{grapes['slug']}")).text
    assert runs_containing(arabic, grapes["description"]["en"]) == []
    assert runs_containing(arabic, grapes["description"]["ar"]) == [("ar", "rtl")]
    # Sizes are written the locale's way too.
    assert "500 克" in (await client.get(f"/zh/products/{grapes['slug']}")).text and "500 غ" in arabic
    await _no_unmarked_english(client, grapes["slug"], shops[0]["slug"])


async def _no_unmarked_english(client, product: str, shop: str) -> None:
    paths = ["/ar/", "/ar/attractions", "/ar/attractions/po-klong-garai", "/ar/attractions/ca-na-beach",
             "/ar/events", "/ar/events/kate", "/ar/events/grape-wine-festival", "/ar/products",
             f"/ar/products/{product}", f"/ar/shops/{shop}"]
    found = {}
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, path
        phrases = unmarked_latin_phrases(response.text)
        if phrases:
            found[path] = phrases
    assert found == {}
