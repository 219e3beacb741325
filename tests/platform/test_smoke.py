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
