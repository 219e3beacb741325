"""Sign-up, sign-in, sign-out, sessions, CSRF, the login rate limit and API tokens, over real HTTP."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.helpers import PASSWORD, csrf_token, make_user, sign_in


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


async def test_login_rate_limit_per_account(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "target@example.vn", ["customer"])
    for _ in range(5):
        bad = await client.post("/api/v1/auth/sign-in", json={"email": "target@example.vn", "password": "wrong-pass"})
        assert bad.status_code == 401
    blocked = await client.post("/api/v1/auth/sign-in", json={"email": "target@example.vn", "password": PASSWORD})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "login_rate_limited"
    assert int(blocked.headers["retry-after"]) > 0
    # Other accounts from elsewhere are not locked out by this one.
    await make_user(pool, "other@example.vn", ["customer"])
    assert (await client.post("/api/v1/auth/sign-in",
                              json={"email": "other@example.vn", "password": PASSWORD})).status_code == 200


async def test_login_rate_limit_per_ip(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "victim@example.vn", ["customer"])
    # The test client has no IP address; record failures as if from one address and check it is blocked.
    await pool.execute("INSERT INTO login_failures (ip, account) SELECT '203.0.113.9', 'guess' || g "
                       "FROM generate_series(1, 20) g")
    from marketplace.accounts import service
    from marketplace.platform.errors import TooManyRequests

    try:
        await service.authenticate(pool, "victim@example.vn", PASSWORD, "203.0.113.9")
    except TooManyRequests:
        pass
    else:
        raise AssertionError("the IP address should be rate limited")
    user = await service.authenticate(pool, "victim@example.vn", PASSWORD, "198.51.100.1")
    assert user.email == "victim@example.vn"


async def test_api_tokens_created_used_and_revoked(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    await make_user(pool, "admin@example.vn", ["admin"])
    await sign_in(client, "admin@example.vn")
    created = await client.post("/api/v1/admin/tokens", json={"name": "portal", "roles": ["editor"]})
    assert created.status_code == 201, created.text
    secret = created.json()["token"]
    token_id = created.json()["info"]["id"]
    assert secret.startswith("mkt_")
    stored = await pool.fetchrow("SELECT token_hash, prefix FROM api_tokens WHERE id = $1", token_id)
    assert secret.encode() not in bytes(stored["token_hash"]) and secret.startswith(stored["prefix"])
    listed = await client.get("/api/v1/admin/tokens")
    assert secret not in listed.text

    await client.post("/api/v1/auth/sign-out", json={})
    bearer = {"authorization": f"Bearer {secret}"}
    me = await client.get("/api/v1/auth/me", headers=bearer)
    assert me.status_code == 200 and me.json()["roles"] == ["editor"] and me.json()["via"] == "token"
    # An editor token cannot do admin work.
    assert (await client.get("/api/v1/admin/tokens", headers=bearer)).status_code == 403

    await sign_in(client, "admin@example.vn")
    revoked = await client.post(f"/api/v1/admin/tokens/{token_id}/revoke", json={})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    await client.post("/api/v1/auth/sign-out", json={})
    dead = await client.get("/api/v1/auth/me", headers=bearer)
    assert dead.status_code == 401 and dead.json()["error"]["code"] == "invalid_token"
    garbage = await client.get("/api/v1/auth/me", headers={"authorization": "Basic abc"})
    assert garbage.status_code == 401


async def test_token_created_through_admin_page_is_shown_once(client: AsyncTestClient[Any],
                                                              pool: asyncpg.Pool) -> None:
    await make_user(pool, "boss@example.vn", ["admin"])
    await sign_in(client, "boss@example.vn")
    token = await csrf_token(client, "/vi/admin/tokens")
    page = await client.post("/vi/admin/tokens", data={"name": "cổng tỉnh", "roles": ["editor", "customer"],
                                                       "_csrf_token": token})
    assert page.status_code == 201 and 'id="new-token">mkt_' in page.text
    again = await client.get("/vi/admin/tokens")
    assert "mkt_" in again.text and 'id="new-token"' not in again.text
    roles = await pool.fetchval("SELECT roles FROM api_tokens WHERE name = 'cổng tỉnh'")
    assert roles == ["customer", "editor"]
