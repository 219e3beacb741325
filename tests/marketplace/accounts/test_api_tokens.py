"""API tokens for portals: created by admins (API and page), shown once, stored hashed, used, revoked."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from tests.helpers import csrf_token, make_user, sign_in


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
