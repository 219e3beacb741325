"""The home page's featured lists: editors' picks in their order, then the last 90 days' popularity, then the name
(they were the first six by slug before, whatever editors or visitors did)."""

import re
from datetime import UTC, datetime, timedelta

import asyncpg
from litestar.testing import AsyncTestClient

from marketplace.featured.service import featured_documents
from tests.helpers import csrf_token, make_user, sign_in
from tests.marketplace.factories import buy, make_merchant, make_product
from tests.marketplace.factories import make_user as make_actor
from tourism.attractions.repository import record_poster_scan
from tourism.demo.seed import seed_demo

NOW = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)


async def _published_names(conn: asyncpg.Connection, locale: str) -> list[str]:
    rows = await conn.fetch("SELECT coalesce(name ->> $1, name ->> 'en', name ->> 'vi') AS n "
                            "FROM tourism.attractions WHERE status = 'published'", locale)
    return sorted(row["n"] for row in rows)


async def test_without_picks_or_activity_the_lists_go_by_name_in_the_visitors_language(
    conn: asyncpg.Connection,
) -> None:
    await seed_demo(conn)
    owner, merchant = await make_merchant(conn)
    for name in ("Nho đỏ", "Bưởi da xanh", "Cam sành"):
        await make_product(conn, owner, merchant, name=name)
    for locale in ("en", "vi"):
        lists = await featured_documents(conn, locale, NOW)
        names = [document.name.get(locale) or document.name["en"] for document in lists["attractions"]]
        assert names == (await _published_names(conn, locale))[:6], locale
    assert [d.name["vi"] for d in (await featured_documents(conn, "vi", NOW))["products"]] == [
        "Bưởi da xanh", "Cam sành", "Nho đỏ"]


async def test_recent_scans_saves_orders_and_reviews_rank_before_the_name(conn: asyncpg.Connection) -> None:
    await seed_demo(conn)
    last = (await conn.fetchval("SELECT slug FROM tourism.attractions WHERE status = 'published' "
                                "ORDER BY coalesce(name ->> 'en', name ->> 'vi') DESC LIMIT 1"))
    second_last = (await conn.fetchval("SELECT slug FROM tourism.attractions WHERE status = 'published' "
                                       "ORDER BY coalesce(name ->> 'en', name ->> 'vi') DESC OFFSET 1 LIMIT 1"))
    # The last by name is scanned twice this month; the one before it was scanned 5 times, but 100 days ago.
    await record_poster_scan(conn, last)
    await record_poster_scan(conn, last)
    for _ in range(5):
        await record_poster_scan(conn, second_last)
    await conn.execute("UPDATE tourism.poster_scans SET day = $2 WHERE attraction_id = "
                       "(SELECT id FROM tourism.attractions WHERE slug = $1)", second_last,
                       (NOW - timedelta(days=100)).date())
    await conn.execute("UPDATE tourism.poster_scans SET day = $1 WHERE day <> $2", (NOW - timedelta(days=3)).date(),
                       (NOW - timedelta(days=100)).date())
    ranked = [d.slug for d in (await featured_documents(conn, "en", NOW))["attractions"]]
    assert ranked[0] == last and second_last not in ranked

    owner, merchant = await make_merchant(conn)
    apple, bought, cancelled, old = [await make_product(conn, owner, merchant, name=name)
                                     for name in ("A táo", "Z nho", "Y dưa", "X muối")]
    buyer = await make_actor(conn)
    for product in (bought, cancelled, old):
        await buy(conn, buyer, product.variants[0].id)
    await conn.execute("UPDATE orders SET status = 'cancelled' WHERE id IN (SELECT order_id FROM order_items "
                       "WHERE product_id = $1)", cancelled.id)
    await conn.execute("UPDATE orders SET created_at = $2 WHERE id IN (SELECT order_id FROM order_items "
                       "WHERE product_id = $1)", old.id, NOW - timedelta(days=91))
    await conn.execute("UPDATE orders SET created_at = $1 WHERE created_at > $1", NOW - timedelta(days=1))
    products = [d.name["vi"] for d in (await featured_documents(conn, "vi", NOW))["products"]]
    # Only the order that went through in the last 90 days counts; the rest follow by name.
    assert products == ["Z nho", "A táo", "X muối", "Y dưa"]


def _cards(html: str, heading: str) -> list[str]:
    section = html.split(heading, 1)[1].split("</section>", 1)[0]
    # Each card is one line: its picture (photo or illustration), then its link.
    return re.findall(r'<li>.*?<a href="/en/(?:attractions|products)/([^"]+)"', section)


async def test_editors_pick_move_and_remove_what_the_home_page_features(
    client: AsyncTestClient, pool: asyncpg.Pool
) -> None:
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
        owner, merchant = await make_merchant(connection)
        grapes = await make_product(connection, owner, merchant, name="Z nho")
        await make_product(connection, owner, merchant, name="A táo")
    before = _cards((await client.get("/en/")).text, "Featured attractions")
    assert "po-rome" not in before[:1] and len(before) == 6

    await make_user(pool, "cust@example.vn", ["customer"])
    await sign_in(client, "cust@example.vn")
    assert (await client.get("/en/editor/featured")).status_code == 403
    token = await csrf_token(client, "/en/")
    refused = await client.post("/en/editor/featured", data={"_csrf_token": token, "group": "attractions",
                                                             "slug": "po-rome", "position": "1"})
    assert refused.status_code == 403

    client.cookies.clear()
    await make_user(pool, "editor@example.vn", ["editor"])
    await sign_in(client, "editor@example.vn")
    home = (await client.get("/en/")).text
    assert 'href="/en/editor/featured"' in home  # editors find the page from the home page
    token = await csrf_token(client, "/en/editor/featured")
    assert (await client.post("/en/editor/featured", data={"group": "attractions", "slug": "po-rome"})
            ).status_code == 403  # no CSRF token
    for group, slug, position in (("attractions", "/en/attractions/po-rome", 2), ("attractions", "ninh-chu-beach", 1),
                                  ("products", grapes.slug, 1)):
        added = await client.post("/en/editor/featured", data={"_csrf_token": token, "group": group, "slug": slug,
                                                               "position": str(position)}, follow_redirects=False)
        assert added.status_code == 303, added.text
    missing = await client.post("/en/editor/featured", data={"_csrf_token": token, "group": "attractions",
                                                             "slug": "no-such-place", "position": "1"})
    assert missing.status_code == 404 and "no-such-place" in missing.text  # the form again, with what was typed
    bad = await client.post("/en/editor/featured", data={"_csrf_token": token, "group": "attractions",
                                                         "slug": "po-rome", "position": "0"})
    assert bad.status_code in (400, 422)

    home = (await client.get("/en/")).text
    assert _cards(home, "Featured attractions")[:2] == ["ninh-chu-beach", "po-rome"]
    assert _cards(home, "Local products")[0] == grapes.slug

    picks = (await client.get("/en/editor/featured")).text
    ids = dict((slug, pick_id) for pick_id, slug in re.findall(
        r'/en/editor/featured/(\d+)/position".*?href="/en/(?:attractions|products)/([^"]+)"', picks, re.S))
    moved = await client.post(f"/en/editor/featured/{ids['po-rome']}/position",
                              data={"_csrf_token": token, "position": "1"}, follow_redirects=False)
    assert moved.status_code == 303
    removed = await client.post(f"/en/editor/featured/{ids['ninh-chu-beach']}/remove",
                                data={"_csrf_token": token}, follow_redirects=False)
    assert removed.status_code == 303
    after = _cards((await client.get("/en/")).text, "Featured attractions")
    assert after[0] == "po-rome" and "ninh-chu-beach" not in after[:1]
    assert (await client.post("/en/editor/featured/999999/remove", data={"_csrf_token": token})).status_code == 404
