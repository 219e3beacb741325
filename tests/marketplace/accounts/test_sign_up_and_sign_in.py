"""Sign-up, sign-in and sign-out as JSON and as forms: session cookies, CSRF, safe redirects, shown errors."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.helpers import PASSWORD, csrf_token, make_user


async def test_json_sign_up_sign_in_sign_out(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    created = await client.post("/api/v1/auth/sign-up",
                                json={"email": "lan@example.vn", "password": PASSWORD, "display_name": "Lan"})
    assert created.status_code == 201, created.text
    assert created.json()["roles"] == ["customer"]
    cookie = created.headers["set-cookie"]
    assert "sid=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("Lax", "lax")
    assert "Secure" not in cookie  # BASE_URL is http in tests
    me = await client.get("/api/v1/auth/me")
    assert me.json()["email"] == "lan@example.vn"
    stored = await pool.fetchval("SELECT password_hash FROM users WHERE email = 'lan@example.vn'")
    assert stored.startswith("$argon2id$")
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 1
    token_in_cookie = client.cookies.get("sid")
    assert token_in_cookie and await pool.fetchval("SELECT count(*) FROM sessions WHERE token_hash = "
                                                   "sha256($1::text::bytea)", token_in_cookie) == 1

    out = await client.post("/api/v1/auth/sign-out", json={})
    assert out.status_code == 204
    assert (await client.get("/api/v1/auth/me")).status_code == 401
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0

    again = await client.post("/api/v1/auth/sign-in", json={"email": "LAN@example.vn", "password": PASSWORD})
    assert again.status_code == 200
    assert (await client.get("/api/v1/auth/me")).json()["display_name"] == "Lan"


async def test_duplicate_and_invalid_sign_up(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "taken@example.vn", ["customer"])
    dup = await client.post("/api/v1/auth/sign-up", json={"email": "Taken@example.vn", "password": PASSWORD})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "email_taken"
    short = await client.post("/api/v1/auth/sign-up", json={"email": "a@example.vn", "password": "short"})
    assert short.status_code == 400 and short.json()["error"]["code"] == "validation_failed"


async def test_secure_cookie_when_base_url_is_https(settings: Any) -> None:
    from marketplace.app import create_app

    secure = type(settings)(**{**{f: getattr(settings, f) for f in settings.__struct_fields__},
                               "base_url": "https://market.example.vn"})
    async with AsyncTestClient(app=create_app(secure), base_url="https://market.example.vn") as client:
        response = await client.post("/api/v1/auth/sign-up", json={"email": "s@example.vn", "password": PASSWORD})
        assert "Secure" in response.headers["set-cookie"]


async def test_form_sign_in_and_out_with_csrf(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "hoa@example.vn", ["customer"])
    token = await csrf_token(client)
    response = await client.post("/vi/account/sign-in", follow_redirects=False,
                                 data={"email": "hoa@example.vn", "password": PASSWORD, "_csrf_token": token,
                                       "next": "/vi/account"})
    assert response.status_code == 303 and response.headers["location"] == "/vi/account"
    account = await client.get("/vi/account")
    assert account.status_code == 200 and "hoa@example.vn" in account.text
    token = await csrf_token(client, "/vi/account")
    out = await client.post("/vi/account/sign-out", data={"_csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert (await client.get("/vi/account", follow_redirects=False)).status_code == 303  # to sign-in


async def test_open_redirect_after_sign_in_is_refused(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "r@example.vn", ["customer"])
    token = await csrf_token(client)
    response = await client.post("/en/account/sign-in", follow_redirects=False,
                                 data={"email": "r@example.vn", "password": PASSWORD, "_csrf_token": token,
                                       "next": "//evil.example/x"})
    assert response.headers["location"] == "/en/account"


async def test_form_post_without_csrf_token_is_refused(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "c@example.vn", ["customer"])
    await client.get("/vi/account/sign-in")  # has the CSRF cookie, but the form omits the token
    missing = await client.post("/vi/account/sign-in", data={"email": "c@example.vn", "password": PASSWORD})
    assert missing.status_code == 403
    forged = await client.post("/vi/account/sign-in",
                               data={"email": "c@example.vn", "password": PASSWORD, "_csrf_token": "forged" * 20})
    assert forged.status_code == 403
    as_text = await client.post("/vi/account/sign-up", content=b'{"email": "x@example.vn"}',
                                headers={"content-type": "text/plain"})
    assert as_text.status_code == 403
    assert await pool.fetchval("SELECT count(*) FROM sessions") == 0


async def test_form_errors_are_shown_not_raised(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    token = await csrf_token(client, "/en/account/sign-up")
    weak = await client.post("/en/account/sign-up", data={"email": "w@example.vn", "password": "123",
                                                          "_csrf_token": token})
    assert weak.status_code == 400 and "at least 10 characters" in weak.text
    wrong = await client.post("/en/account/sign-in", data={"email": "nobody@example.vn", "password": "x" * 12,
                                                           "_csrf_token": token})
    assert wrong.status_code == 401 and "wrong" in wrong.text
