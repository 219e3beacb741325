"""The marketplace mounted with MarketplacePlugin inside a portal's own Litestar app, under a prefix."""

from typing import Any

import asyncpg
import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from marketplace.app import MarketplacePlugin
from tests.helpers import PASSWORD, make_user


@get("/")
async def portal_home() -> dict[str, str]:
    return {"portal": "Cổng thông tin Khánh Hòa"}


@get("/about")
async def portal_about() -> str:
    return "portal page"


async def test_plugin_mounts_under_prefix(settings: Any, pool: asyncpg.Pool) -> None:
    portal = Litestar(route_handlers=[portal_home, portal_about], plugins=[MarketplacePlugin(settings, path="/market")])
    async with AsyncTestClient(app=portal) as client:
        assert (await client.get("/")).json() == {"portal": "Cổng thông tin Khánh Hòa"}
        about = await client.get("/about")
        assert about.text == "portal page"
        assert "content-security-policy" not in about.headers  # our middleware stays under our prefix
        assert (await client.get("/market/healthz")).json() == {"status": "ok"}
        assert (await client.get("/market/readyz")).json()["database"] == "ok"
        redirect = await client.get("/market/", follow_redirects=False, headers={"accept-language": "en"})
        assert redirect.headers["location"] == "/market/en/"
        home = await client.get("/market/ar/")
        assert home.status_code == 200
        assert '<html lang="ar" dir="rtl">' in home.text
        assert 'href="/market/static/site.css"' in home.text and 'href="/market/ar/account/sign-in"' in home.text
        assert (await client.get("/market/static/site.css")).status_code == 200

        await make_user(pool, "portal-user@example.vn", ["customer"])
        signed = await client.post("/market/api/v1/auth/sign-in",
                                   json={"email": "portal-user@example.vn", "password": PASSWORD})
        assert signed.status_code == 200
        assert "Path=/market" in signed.headers["set-cookie"]
        assert (await client.get("/market/api/v1/auth/me")).json()["email"] == "portal-user@example.vn"
        missing = await client.get("/market/api/v1/nothing-here")
        assert missing.status_code == 404
        schema = (await client.get("/schema/openapi.json")).json()
        assert "/market/api/v1/auth/sign-in" in schema["paths"]


def test_plugin_rejects_bad_prefix(settings: Any) -> None:
    for bad in ("", "/", "market", "/market/"):
        with pytest.raises(ValueError):
            MarketplacePlugin(settings, path=bad)
