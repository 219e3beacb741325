"""Anonymous responses kept in memory are never stale (issue 13): a price change, an order's stock, a
booking's seats and an editor's edit show on the very next anonymous request, on every server; signed-in
visitors and visitors with their own cookies never get the anonymous copy; CSRF tokens stay per visitor."""

import asyncio
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio
from litestar.testing import AsyncTestClient

from marketplace.app import create_app
from marketplace.bench.cpu import call_asgi
from marketplace.catalog import service as catalog
from marketplace.catalog.models import VariantUpdate
from marketplace.platform.runtime import runtime_of
from marketplace.platform.settings import load_settings
from search.service import search_log_pending
from tests.conftest import FrozenClock
from tests.helpers import eventually, make_user, sign_in
from tests.marketplace.factories import buy, make_experience, make_merchant, make_product
from tests.marketplace.factories import make_user as make_actor
from tourism.demo.seed import seed_demo

ATTRACTION = "/vi/attractions/po-klong-garai"


# A kept answer is tied to the minute it was rendered in: a test crossing a minute boundary between two
# requests would get a fresh render instead of the kept one.
pytestmark = pytest.mark.usefixtures("frozen_clock")


@pytest_asyncio.fixture
async def catalog_data(pool: asyncpg.Pool) -> dict[str, Any]:
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
        owner, merchant = await make_merchant(connection, name="Vườn nho Cache")
        product = await make_product(connection, owner, merchant, name="Nho cache", price=50_000, stock=10)
        tour = await make_experience(connection, owner, merchant, seats=5)
    return {"owner": owner, "product": product, "tour": tour, "shop": merchant.slug}


def _settings(db_uri: str, data_dir: Path) -> Any:
    return load_settings({"DATABASE_URL": db_uri, "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                          "DATA_DIR": str(data_dir), "RUN_INDEXER": "false"})


@pytest_asyncio.fixture
async def second_client(db_uri: str, tmp_path: Path) -> AsyncIterator[AsyncTestClient[Any]]:
    """Another server process's app on the same database (its own memory, its own kept responses)."""
    async with AsyncTestClient(app=create_app(_settings(db_uri, tmp_path / "second")),
                               base_url="http://127.0.0.1:8000") as client:
        yield client


async def _change_without_triggers(pool: asyncpg.Pool, sql: str, *args: Any) -> None:
    """A write that bypasses the content-version triggers: what a response served from memory cannot see."""
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SET LOCAL session_replication_role = replica")
        await connection.execute(sql, *args)


async def _anonymous_get(client: AsyncTestClient[Any], path: str, **headers: str) -> Any:
    client.cookies.clear()
    response = await client.get(path, headers=headers)
    assert response.status_code == 200, (path, response.text[:300])
    return response


async def test_responses_are_kept_and_a_price_change_shows_on_the_next_request(
    catalog_data: dict[str, Any], pool: asyncpg.Pool, client: AsyncTestClient[Any]
) -> None:
    product = catalog_data["product"]
    page, api = f"/vi/products/{product.slug}", f"/api/v1/products/{product.slug}"
    assert "50.000" in (await _anonymous_get(client, page)).text
    assert (await _anonymous_get(client, api)).json()["variants"][0]["price"] == 50_000
    # Proof that the second answer comes from memory: a write the version does not see stays unseen.
    await _change_without_triggers(pool, "UPDATE product_variants SET price = 61000 WHERE id = $1",
                                   product.variants[0].id)
    assert "50.000" in (await _anonymous_get(client, page)).text
    assert (await _anonymous_get(client, api)).json()["variants"][0]["price"] == 50_000
    async with pool.acquire() as connection, connection.transaction():
        await catalog.update_variant(connection, catalog_data["owner"], product.variants[0].id,
                                     VariantUpdate(price=72_000))
    assert "72.000" in (await _anonymous_get(client, page)).text
    assert (await _anonymous_get(client, api)).json()["variants"][0]["price"] == 72_000
    listing = (await _anonymous_get(client, "/api/v1/products")).json()
    assert any(card["slug"] == product.slug for card in listing)


async def test_a_kept_answer_is_rendered_again_in_the_next_minute(
    catalog_data: dict[str, Any], pool: asyncpg.Pool, client: AsyncTestClient[Any], frozen_clock: FrozenClock
) -> None:
    product = catalog_data["product"]
    api = f"/api/v1/products/{product.slug}"
    assert (await _anonymous_get(client, api)).json()["variants"][0]["price"] == 50_000
    await _change_without_triggers(pool, "UPDATE product_variants SET price = 61000 WHERE id = $1",
                                   product.variants[0].id)
    frozen_clock.now += timedelta(seconds=29)  # 10:15:59, still the minute it was rendered in
    assert (await _anonymous_get(client, api)).json()["variants"][0]["price"] == 50_000
    frozen_clock.now += timedelta(seconds=1)  # 10:16:00: "open now" and today's events may have changed
    assert (await _anonymous_get(client, api)).json()["variants"][0]["price"] == 61_000


async def test_stock_after_an_order_and_seats_after_a_booking_show_on_the_next_request(
    catalog_data: dict[str, Any], pool: asyncpg.Pool, client: AsyncTestClient[Any]
) -> None:
    product, tour = catalog_data["product"], catalog_data["tour"]
    product_api, tour_page = f"/api/v1/products/{product.slug}", f"/en/products/{tour.slug}"
    assert (await _anonymous_get(client, product_api)).json()["variants"][0]["stock"] == 10
    assert "5 seats left" in (await _anonymous_get(client, tour_page)).text
    async with pool.acquire() as connection, connection.transaction():
        buyer = await make_actor(connection)
        await buy(connection, buyer, product.variants[0].id, 3)
    assert (await _anonymous_get(client, product_api)).json()["variants"][0]["stock"] == 7
    async with pool.acquire() as connection, connection.transaction():
        await buy(connection, await make_actor(connection), tour.variants[0].id, 2)
    assert "3 seats left" in (await _anonymous_get(client, tour_page)).text


async def test_an_editors_change_shows_on_the_next_request_of_pages_and_lists(
    catalog_data: dict[str, Any], pool: asyncpg.Pool, client: AsyncTestClient[Any]
) -> None:
    for path in (ATTRACTION, "/vi/attractions", "/api/v1/attractions"):
        assert "Tháp Chàm đã sửa" not in (await _anonymous_get(client, path)).text
    async with pool.acquire() as connection:
        await connection.execute("UPDATE tourism.attractions SET name = jsonb_set(name, '{vi}', "
                                 "'\"Tháp Chàm đã sửa\"') WHERE slug = 'po-klong-garai'")
    for path in (ATTRACTION, "/vi/attractions", "/api/v1/attractions"):
        assert "Tháp Chàm đã sửa" in (await _anonymous_get(client, path)).text, path


async def test_two_servers_on_one_database_see_each_others_changes(
    catalog_data: dict[str, Any], pool: asyncpg.Pool, client: AsyncTestClient[Any],
    second_client: AsyncTestClient[Any]
) -> None:
    product = catalog_data["product"]
    api = f"/api/v1/products/{product.slug}"
    for server in (client, second_client):
        assert (await _anonymous_get(server, api)).json()["variants"][0]["price"] == 50_000
    async with pool.acquire() as connection, connection.transaction():
        await catalog.update_variant(connection, catalog_data["owner"], product.variants[0].id,
                                     VariantUpdate(price=55_000, stock=4))
    for server in (second_client, client):
        variant = (await _anonymous_get(server, api)).json()["variants"][0]
        assert (variant["price"], variant["stock"]) == (55_000, 4)


async def test_signed_in_visitors_and_visitors_with_a_cart_are_never_served_the_anonymous_copy(
    catalog_data: dict[str, Any], pool: asyncpg.Pool, client: AsyncTestClient[Any]
) -> None:
    product = catalog_data["product"]
    page = f"/vi/products/{product.slug}"
    anonymous = await _anonymous_get(client, page)
    assert "mai.kept" not in anonymous.text
    await _change_without_triggers(pool, "UPDATE product_variants SET price = 61000 WHERE id = $1",
                                   product.variants[0].id)
    await make_user(pool, "mai.kept@example.vn", ["customer"])
    await sign_in(client, "mai.kept@example.vn")
    signed_in = await client.get(page)
    assert "mai.kept" in signed_in.text and "61.000" in signed_in.text
    assert "public" not in signed_in.headers["cache-control"]
    # A cookie the cache does not know (a cart, a trip) may change the page: rendered for that visitor.
    client.cookies.clear()
    with_cart = await client.get(page, headers={"cookie": "cart=some-cart-token"})
    assert "61.000" in with_cart.text


async def test_each_visitor_gets_its_own_csrf_token_and_a_form_from_a_kept_page_works(
    catalog_data: dict[str, Any], client: AsyncTestClient[Any]
) -> None:
    product = catalog_data["product"]
    page = f"/vi/products/{product.slug}"
    await _anonymous_get(client, page)
    tokens = set()
    for _ in range(2):
        client.cookies.clear()
        response = await client.get(page)
        cookie = response.cookies.get("csrftoken")
        assert cookie, "a new visitor gets a CSRF cookie from a kept page too"
        tokens.add(cookie)
        masked = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
        assert masked is not None
        added = await client.post("/vi/cart/add", data={"_csrf_token": masked.group(1),
                                                        "variant_id": str(product.variants[0].id),
                                                        "quantity": "1"}, follow_redirects=False)
        assert added.status_code in (302, 303), added.text[:300]
    assert len(tokens) == 2


async def test_a_kept_page_is_revalidated_with_its_etag(
    catalog_data: dict[str, Any], pool: asyncpg.Pool, client: AsyncTestClient[Any]
) -> None:
    product = catalog_data["product"]
    page = f"/vi/products/{product.slug}"
    await client.get(page)
    first = await client.get(page)  # the same visitor (same CSRF cookie), from memory
    assert first.status_code == 200 and first.headers["etag"]
    again = await client.get(page, headers={"if-none-match": first.headers["etag"]})
    assert again.status_code == 304
    async with pool.acquire() as connection, connection.transaction():
        await catalog.update_variant(connection, catalog_data["owner"], product.variants[0].id,
                                     VariantUpdate(price=80_000))
    changed = await client.get(page, headers={"if-none-match": first.headers["etag"]})
    assert changed.status_code == 200 and "80.000" in changed.text


async def test_every_table_bumps_the_content_version_or_is_exempt_with_a_reason(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        rows = await connection.fetch("""
            SELECT format('%s.%s', n.nspname, c.relname) AS name,
                   EXISTS (SELECT 1 FROM pg_trigger t WHERE t.tgrelid = c.oid
                           AND t.tgname = 'bumps_content_version') AS watched,
                   EXISTS (SELECT 1 FROM content_version_exempt_tables e
                           WHERE e.table_name = format('%s.%s', n.nspname, c.relname)) AS exempt
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'""")
        names = {row["name"]: row for row in rows}
        assert all(row["watched"] != row["exempt"] for row in rows), [r["name"] for r in rows
                                                                      if r["watched"] == r["exempt"]]
        for table in ("public.products", "public.product_variants", "public.merchants", "public.reviews",
                      "tourism.attractions", "tourism.events", "public.search_documents", "public.search_outbox"):
            assert names[table]["watched"], table
        before = await connection.fetchval("SELECT sum(version) FROM content_version_shards")
        async with connection.transaction():
            await connection.execute("UPDATE products SET updated_at = updated_at WHERE false")
            await connection.execute("UPDATE tourism.events SET name = name WHERE false")
        after = await connection.fetchval("SELECT sum(version) FROM content_version_shards")
        assert after == before + 1  # once per transaction
        async with connection.transaction():
            await connection.execute("INSERT INTO search_query_daily (day, query, locale, searches, "
                                     "without_results, results_total) VALUES (current_date, 'x', 'vi', 1, 0, 1)")
        assert await connection.fetchval("SELECT sum(version) FROM content_version_shards") == after


async def test_a_new_table_is_watched_by_the_next_migration_run(pool: asyncpg.Pool) -> None:
    from marketplace.platform.migrations import watch_new_tables

    async with pool.acquire() as connection:
        await connection.execute("CREATE TABLE public.cache_probe (id int)")
        await watch_new_tables(connection)
        assert await connection.fetchval("SELECT count(*) FROM pg_trigger WHERE tgname = 'bumps_content_version' "
                                          "AND tgrelid = 'public.cache_probe'::regclass") == 1


class _SearchDown:
    """Stands in for a search engine that is down (every query raises)."""

    async def search(self, query: Any) -> Any:
        raise OSError("search engine unreachable")


async def test_a_page_rendered_while_search_is_down_is_not_kept(
    catalog_data: dict[str, Any], app: Any, client: AsyncTestClient[Any]
) -> None:
    runtime = runtime_of(app.state)
    engine, runtime.search_engine = runtime.search_engine, _SearchDown()
    try:
        assert "cannot be shown right now" in (await _anonymous_get(client, "/en/attractions/po-klong-garai")).text
    finally:
        runtime.search_engine = engine
    assert "cannot be shown right now" not in (await _anonymous_get(client, "/en/attractions/po-klong-garai")).text


class _CountingEngine:
    """The app's real search engine, counting the searches it is asked for."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.searches = 0

    async def search(self, query: Any) -> Any:
        self.searches += 1
        return await self.engine.search(query)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.engine, name)


async def test_a_search_served_again_from_memory_is_logged_again(
    catalog_data: dict[str, Any], app: Any, pool: asyncpg.Pool, client: AsyncTestClient[Any]
) -> None:
    runtime = runtime_of(app.state)
    counting = _CountingEngine(runtime.search_engine)
    runtime.search_engine = counting
    for path in ("/vi/search?q=nho+cache", "/api/v1/search?q=nho+cache&locale=vi"):
        for _ in range(3):
            await _anonymous_get(client, path)
    assert counting.searches == 2  # each answer rendered once, then served from memory
    # The app (in the test client's event loop) writes what it counted.
    await eventually(lambda: not search_log_pending(runtime.require_pool()))
    async with pool.acquire() as connection:
        searches = await connection.fetchval("SELECT sum(searches) FROM search_query_daily WHERE query = 'nho cache'")
    assert searches == 6  # and every search counted for the province's report


async def test_a_kept_page_with_a_form_is_sent_gzip_or_brotli_with_the_visitors_token(
    catalog_data: dict[str, Any], client: AsyncTestClient[Any]
) -> None:
    page = f"/vi/products/{catalog_data['product'].slug}"
    await _anonymous_get(client, page)
    for accepted, coding in (("gzip", "gzip"), ("br", "br"), ("br, gzip", "br"), ("identity", None)):
        client.cookies.clear()
        response = await client.get(page, headers={"accept-encoding": accepted})
        assert response.headers.get("content-encoding") == coding, accepted
        assert response.text.rstrip().endswith("</html>")
        masked = re.search(r'name="_csrf_token" value="([^"]+)"', response.text)
        assert masked is not None
        added = await client.post("/vi/cart/add", data={"_csrf_token": masked.group(1), "quantity": "1",
                                                        "variant_id": str(catalog_data["product"].variants[0].id)},
                                  follow_redirects=False)
        assert added.status_code in (302, 303), (accepted, added.text[:200])


async def test_probes_set_no_csrf_cookie(client: AsyncTestClient[Any]) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200 and "set-cookie" not in response.headers


async def test_a_request_never_joins_a_version_read_that_started_before_it_arrived() -> None:
    import asyncio

    from marketplace.platform.response_cache import ContentVersionReader

    reader, reads, release = ContentVersionReader(), [], asyncio.Event()

    async def fetch() -> int:
        reads.append(len(reads) + 1)
        number = len(reads)
        await release.wait()
        return number

    first = asyncio.ensure_future(reader.read(fetch))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert reads == [1]  # the first read is under way
    later = [asyncio.ensure_future(reader.read(fetch)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    assert await first == 1
    assert [await one for one in later] == [2] * 5  # one more read for all five, started after they came
    assert reads == [1, 2]


async def test_a_kept_answer_keeps_the_handlers_vary_header(
    catalog_data: dict[str, Any], client: AsyncTestClient[Any]
) -> None:
    path = "/api/v1/search/suggest?q=thap&locale=vi"
    first = await _anonymous_get(client, path)
    again = await _anonymous_get(client, path)
    assert "Accept-Language" in first.headers.get_list("vary")
    assert again.headers.get_list("vary") == first.headers.get_list("vary")


def test_the_kept_bodies_stay_within_their_byte_budget() -> None:
    from datetime import datetime

    from marketplace.platform.response_cache import CachedResponse, ResponseCache

    cache = ResponseCache(max_entries=100, max_bytes=10_000)
    for number in range(10):
        cache.put(("/vi/search", str(number).encode()), CachedResponse(
            version=1, minute=datetime(2026, 12, 6), status=200, headers=[], segments=[b"x" * 3_000],
            encoded={}, is_page=False, digest=b""))
    assert cache.kept_bytes <= 10_000 and len(cache.entries) == 3
    assert ("/vi/search", b"9") in cache.entries and ("/vi/search", b"0") not in cache.entries


class _SlowCountingEngine(_CountingEngine):
    """Counts searches, each taking long enough for the other requests to arrive meanwhile."""

    async def search(self, query: Any) -> Any:
        self.searches += 1
        await asyncio.sleep(0.3)
        return await self.engine.search(query)


async def test_concurrent_requests_for_an_answer_being_rendered_wait_for_it(settings: Any) -> None:
    app = create_app(settings)
    async with app.lifespan():
        runtime = runtime_of(app.state)
        counting = _SlowCountingEngine(runtime.search_engine)
        runtime.search_engine = counting
        answers = await asyncio.gather(*(call_asgi(app, "/vi/search?q=nho+mot+luc") for _ in range(12)))
        assert {status for status, _ in answers} == {200}
        assert counting.searches == 1  # one render for the twelve
        await eventually(lambda: not search_log_pending(runtime.require_pool()))
        async with runtime.require_pool().acquire() as connection:
            logged = await connection.fetchval(
                "SELECT sum(searches) FROM search_query_daily WHERE query = 'nho mot luc'")
        assert logged == 12
