"""Category illustrations: one small, safe SVG per category, cached for a year, shown (and marked) wherever a
listing has no photo: lists, detail pages, the home page and search results, in every locale."""

import re
import xml.etree.ElementTree as ElementTree
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from i18n import SUPPORTED_LOCALES, gettext
from marketplace.platform.illustrations import (
    ATTRACTION_ILLUSTRATIONS,
    ILLUSTRATION_DIR,
    KIND_ILLUSTRATIONS,
    PRODUCT_ILLUSTRATIONS,
    illustration_files,
    illustration_url,
)
from search.models import GeoPoint, SearchDocument
from search.postgres import PostgresEngine
from tests.marketplace.web_helpers import seed_shop
from tourism.attractions import service as attractions
from tourism.attractions.models import CATEGORIES, AttractionCreate

SVG = "{http://www.w3.org/2000/svg}"
# Drawing elements a hand-written illustration needs; anything else (script, foreignObject, image, a, style)
# would be a way to run or load something.
ALLOWED_ELEMENTS = {"svg", "defs", "g", "path", "circle", "ellipse", "rect", "use", "pattern"}


def attribute(tag: str, name: str) -> str:
    match = re.search(rf'\s{name}="([^"]*)"', tag)
    assert match, (name, tag)
    return match.group(1)


def illustration_tags(html: str) -> list[str]:
    return re.findall(r'<span class="illus"><img [^>]+>', html)


def test_every_category_has_a_drawing_that_exists() -> None:
    files = illustration_files()
    assert set(CATEGORIES) | {"festival"} == set(ATTRACTION_ILLUSTRATIONS)
    for name in [*ATTRACTION_ILLUSTRATIONS.values(), *PRODUCT_ILLUSTRATIONS.values(), *KIND_ILLUSTRATIONS.values()]:
        assert name in files, name
    # Every file is used by some category (no dead weight shipped).
    used = {*ATTRACTION_ILLUSTRATIONS.values(), *PRODUCT_ILLUSTRATIONS.values(), *KIND_ILLUSTRATIONS.values()}
    assert set(files) == used


async def test_every_catalog_category_has_its_own_drawing(conn: asyncpg.Connection) -> None:
    slugs = {row["slug"] for row in await conn.fetch("SELECT slug FROM categories")}
    assert slugs == set(PRODUCT_ILLUSTRATIONS)


@pytest.mark.parametrize("path", sorted(ILLUSTRATION_DIR.glob("*.svg")), ids=lambda path: path.stem)
def test_drawings_are_small_and_inert(path: Any) -> None:
    content = path.read_bytes()
    assert len(content) < 2048, len(content)
    root = ElementTree.fromstring(content)
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == "0 0 160 120"
    for element in root.iter():
        assert element.tag.startswith(SVG) and element.tag.removeprefix(SVG) in ALLOWED_ELEMENTS, element.tag
        for name, value in element.attrib.items():
            assert not name.startswith("on"), name
            if name.endswith("href"):
                assert value.startswith("#"), value  # only references inside the file


async def test_drawings_are_served_with_a_fingerprint_and_a_years_cache(client: AsyncTestClient[Any]) -> None:
    url = illustration_url("attraction", "heritage")
    assert re.fullmatch(r"/illustrations/cham-tower\.[0-9a-f]{10}\.svg", url)
    response = await client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "immutable" in response.headers["cache-control"] and "max-age=31536000" in response.headers["cache-control"]
    assert response.headers["content-security-policy"] == "default-src 'none'"
    assert response.content == (ILLUSTRATION_DIR / "cham-tower.svg").read_bytes()
    # A stale fingerprint or any other name is not served (a changed drawing has a new URL).
    for stale in ("/illustrations/cham-tower.0000000000.svg", "/illustrations/cham-tower.svg",
                  "/illustrations/..%2Fsite.css"):
        assert (await client.get(stale)).status_code == 404, stale


def test_unknown_categories_fall_back_to_their_kinds_drawing() -> None:
    assert "/lighthouse." in illustration_url("attraction", "spaceport")
    assert "/basket." in illustration_url("product", None)
    assert "/tour." in illustration_url("experience", "new-kind-of-tour")
    assert "/market." in illustration_url("merchant", None)
    assert illustration_url("product", "pottery", "/portal").startswith("/portal/illustrations/pottery.")


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
async def test_products_without_photos_show_their_categorys_marked_illustration(
    client: AsyncTestClient[Any], pool: asyncpg.Pool, locale: str
) -> None:
    shop = await seed_shop(pool, f"illus-{locale}@example.test", "Vườn nho Minh")
    grapes = illustration_url("product", "fresh-fruit")
    mark = gettext("Illustration", locale)
    assert locale in ("en", "fr") or mark != "Illustration"  # translated ("Illustration" in French too)
    for path in ("/products", f"/products/{shop.product_slug}", f"/shops/{shop.merchant_slug}",
                 "/categories/produce"):
        html = (await client.get(f"/{locale}{path}")).text
        tags = illustration_tags(html)
        # The product's drawing; on the shop page also the shop's own (it has no photos either).
        expected = {grapes, illustration_url("merchant", None)} if path.startswith("/shops/") else {grapes}
        assert {attribute(tag, "src") for tag in tags} == expected, path
        # Decorative (the card says what it is), sized against layout shift, and visibly marked.
        assert all('alt=""' in tag and 'role="presentation"' in tag and 'width="' in tag and 'height="' in tag
                   for tag in tags), path
        assert f'<span class="illus-tag" aria-hidden="true">{mark}</span>' in html, path
    assert f'dir="{"rtl" if locale == "ar" else "ltr"}"' in html


async def test_a_product_with_a_photo_shows_the_photo_not_the_illustration(
    client: AsyncTestClient[Any], pool: asyncpg.Pool
) -> None:
    shop = await seed_shop(pool, "photo@example.test", "Gốm Bàu Trúc")
    async with pool.acquire() as connection:
        await connection.execute(
            "INSERT INTO product_images (product_id, storage_key, urls, width, height) VALUES ($1, $2, $3, 640, 480)",
            shop.product_id, "ab/" + "c" * 32, {"thumb": "/media/ab/thumb.webp", "medium": "/media/ab/medium.webp"})
    html = (await client.get("/en/products")).text
    assert 'src="/media/ab/thumb.webp"' in html and not illustration_tags(html)


async def test_attractions_without_photos_show_their_categorys_illustration(
    client: AsyncTestClient[Any], pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await attractions.create_attraction(connection, AttractionCreate(
            slug="thap-hoa-lai", name={"vi": "Tháp Hòa Lai"}, category="heritage", lat=11.7, lng=109.0,
            status="published"))
    tower = illustration_url("attraction", "heritage")
    for path in ("/ar/attractions", "/ar/attractions/thap-hoa-lai"):
        html = (await client.get(path)).text
        assert any(f'src="{tower}"' in tag for tag in illustration_tags(html)), path
    assert 'loading="lazy"' in illustration_tags((await client.get("/vi/attractions")).text)[0]
    # The detail page's picture is the first thing seen: not lazy.
    assert 'loading="lazy"' not in illustration_tags((await client.get("/vi/attractions/thap-hoa-lai")).text)[0]


async def test_home_page_cards_show_illustrations_for_listings_without_photos(
    client: AsyncTestClient[Any], pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await attractions.create_attraction(connection, AttractionCreate(
            slug="bai-bien-ca-na", name={"vi": "Bãi biển Cà Ná"}, category="beach", lat=11.3, lng=108.9,
            status="published"))
    grapes = await seed_shop(pool, "home-grapes@example.test", "Vườn nho Minh")
    sauce = await seed_shop(pool, "home-sauce@example.test", "Nước mắm Cà Ná")
    async with pool.acquire() as connection:
        await connection.execute(
            "INSERT INTO product_images (product_id, storage_key, urls, width, height) VALUES ($1, $2, $3, 640, 480)",
            sauce.product_id, "ab/" + "c" * 32, {"thumb": "/media/ab/t.webp", "medium": "/media/ab/photo.webp"})
    home = (await client.get("/ar/")).text
    sources = {attribute(tag, "src") for tag in illustration_tags(home)}
    assert sources == {illustration_url("attraction", "beach"), illustration_url("product", "fresh-fruit")}
    assert 'src="/media/ab/photo.webp"' in home and grapes.product_slug in home


async def test_search_results_show_illustrations_for_listings_without_photos(
    client: AsyncTestClient[Any], pool: asyncpg.Pool
) -> None:
    await PostgresEngine(pool).upsert([
        SearchDocument(id="attraction:bai-bien-ca-na", kind="attraction", slug="bai-bien-ca-na",
                       name={"vi": "Bãi biển Cà Ná"}, category="beach", point=GeoPoint(lat=11.3, lng=108.9),
                       url_path="/attractions/bai-bien-ca-na"),
        SearchDocument(id="product:nuoc-mam", kind="product", slug="nuoc-mam", name={"vi": "Nước mắm Cà Ná"},
                       category="condiments", url_path="/products/nuoc-mam", image_url="/media/ab/photo.webp"),
    ])
    search = (await client.get("/ar/search", params={"q": "ca na"})).text
    assert {attribute(tag, "src") for tag in illustration_tags(search)} == {illustration_url("attraction", "beach")}
    # A listing with a photo shows its photo.
    assert 'src="/media/ab/photo.webp"' in search
