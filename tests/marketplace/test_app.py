"""The app starts on a real database and serves its basic routes."""

from litestar.testing import AsyncTestClient


async def test_health_and_home(client: AsyncTestClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok"
    home = await client.get("/vi/")
    assert home.status_code == 200, home.text
    assert '<html lang="vi" dir="ltr">' in home.text
    arabic = await client.get("/ar/")
    assert '<html lang="ar" dir="rtl">' in arabic.text


async def test_sitemaps_and_robots(client: AsyncTestClient) -> None:
    index = await client.get("/sitemap.xml")
    assert index.status_code == 200 and "<sitemapindex" in index.text
    assert "http://127.0.0.1:8000/sitemaps/pages" in index.text
    pages = await client.get("/sitemaps/pages")
    assert 'hreflang="ar" href="http://127.0.0.1:8000/ar/attractions"' in pages.text
    assert (await client.get("/sitemaps/nothing")).status_code == 404
    robots = await client.get("/robots.txt")
    assert "Sitemap: http://127.0.0.1:8000/sitemap.xml" in robots.text


async def test_openapi_schema_builds(client: AsyncTestClient) -> None:
    schema = await client.get("/schema/openapi.json")
    assert schema.status_code == 200, schema.text
    assert schema.json()["openapi"].startswith("3.1")
    assert "/api/v1/auth/sign-in" in schema.json()["paths"]
