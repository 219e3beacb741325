"""GET /api/v1/changes: the same events as the webhooks, in order, with a cursor that never skips one."""

import asyncpg

from marketplace.accounts.service import create_api_token
from marketplace.webhooks.delivery import sequence_all
from search.changes import record_event


async def _token(pool: asyncpg.Pool, *roles: str) -> dict[str, str]:
    async with pool.acquire() as connection, connection.transaction():
        created = await create_api_token(connection, name="portal", roles=list(roles), created_by=None)
    return {"authorization": f"Bearer {created.token}"}


async def test_the_feed_pages_through_every_event_in_order(client, pool) -> None:
    portal = await _token(pool, "official")
    async with pool.acquire() as connection, connection.transaction():
        for number in range(5):
            await record_event(connection, "attraction.updated", {"id": number, "slug": f"a-{number}"})
        await record_event(connection, "merchant.approved", {"id": 9, "slug": "shop"})
    await sequence_all(pool)
    seen: list[object] = []
    cursor = None
    for _ in range(5):
        response = await client.get("/api/v1/changes", params={"limit": 2, **({"after": cursor} if cursor else {})},
                                    headers=portal)
        assert response.status_code == 200, response.text
        page = response.json()
        seen.extend(item["data"]["id"] for item in page["items"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    assert seen == [0, 1, 2, 3, 4, 9]
    # Nothing new: the same cursor comes back with no items, ready for the next poll.
    empty = (await client.get("/api/v1/changes", params={"after": cursor}, headers=portal)).json()
    assert empty == {"items": [], "next_cursor": cursor, "has_more": False}
    async with pool.acquire() as connection, connection.transaction():
        await record_event(connection, "product.deleted", {"id": 3})
    await sequence_all(pool)
    later = (await client.get("/api/v1/changes", params={"after": cursor}, headers=portal)).json()
    [item] = later["items"]
    assert item["type"] == "product.deleted" and item["id"].startswith("msg_") and item["timestamp"]


async def test_the_feed_is_for_editors_officials_and_admins(client, pool) -> None:
    assert (await client.get("/api/v1/changes")).status_code == 401
    customer = await _token(pool, "customer", "merchant")
    refused = await client.get("/api/v1/changes", headers=customer)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "missing_role"
    for role in ("editor", "admin"):
        assert (await client.get("/api/v1/changes", headers=await _token(pool, role))).status_code == 200


async def test_a_bad_cursor_or_page_size_is_a_400(client, pool) -> None:
    editor = await _token(pool, "editor")
    bad = await client.get("/api/v1/changes", params={"after": "abc"}, headers=editor)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_cursor"
    assert (await client.get("/api/v1/changes", params={"limit": 501}, headers=editor)).status_code == 400
    assert (await client.get("/api/v1/changes", params={"limit": 0}, headers=editor)).status_code == 400
    assert (await client.get("/api/v1/changes", params={"after": "9" * 30}, headers=editor)).status_code == 400
