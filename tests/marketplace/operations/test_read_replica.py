"""DATABASE_REPLICA_URL takes the anonymous browsing (issue 15, point 2); signed-in people read the primary.

No streaming replica runs here, so the "replica" is a second database seeded the same way, in which the
names are then changed: a page shows which database it was read from. Its transactions are read-only, so a
marked route that wrote on a GET would fail here.
"""

from collections.abc import AsyncIterator

import asyncpg
import pytest_asyncio
from litestar.testing import AsyncTestClient

from marketplace.app import create_app
from marketplace.platform.database import create_pool
from marketplace.platform.settings import load_settings
from tests.conftest import create_test_database, drop_test_database
from tests.helpers import make_user, sign_in
from tests.marketplace.web_helpers import Shop, seed_shop
from tourism.demo.seed import seed_demo

REPLICA_MARK = "Bản sao chỉ đọc"


async def _seed(pool: asyncpg.Pool) -> Shop:
    async with pool.acquire() as connection, connection.transaction():
        await seed_demo(connection)
    return await seed_shop(pool, "owner@example.vn", "Hợp tác xã Nho Thái An")


@pytest_asyncio.fixture
async def replica_uri(pg, template_db: str) -> AsyncIterator[str]:  # noqa: ANN001 (conftest's TestServer)
    name = await create_test_database(pg, template_db)
    yield pg.uri(name)
    await drop_test_database(pg, name)


async def test_anonymous_pages_read_the_replica_and_signed_in_pages_the_primary(
    pool: asyncpg.Pool, db_uri: str, replica_uri: str, tmp_path
) -> None:  # noqa: ANN001
    shop = await _seed(pool)
    await make_user(pool, "buyer@example.vn", ["customer"])
    replica_pool = await create_pool(replica_uri, min_size=1, max_size=2)
    try:
        replica_shop = await _seed(replica_pool)
        assert (replica_shop.product_slug, replica_shop.merchant_slug) == (shop.product_slug, shop.merchant_slug)
        await replica_pool.execute(
            "UPDATE tourism.attractions SET name = jsonb_set(name, '{vi}', to_jsonb($1::text))"
            " WHERE slug = 'po-klong-garai'",
            REPLICA_MARK)
        await replica_pool.execute("UPDATE products SET name = jsonb_set(name, '{vi}', to_jsonb($1::text))",
                                   REPLICA_MARK)
    finally:
        await replica_pool.close()

    settings = load_settings({"DATABASE_URL": db_uri, "DATABASE_REPLICA_URL": replica_uri, "RUN_INDEXER": "false",
                              "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                              "DATA_DIR": str(tmp_path / "data")})
    pages = ["/vi/attractions/po-klong-garai", f"/vi/products/{shop.product_slug}",
             f"/api/v1/products/{shop.product_slug}"]
    async with AsyncTestClient(app=create_app(settings)) as client:
        for path in pages:
            response = await client.get(path)
            assert response.status_code == 200, (path, response.text[:300])
            assert REPLICA_MARK in response.text, path
        # Every marked route answers from a read-only transaction on the replica.
        for path in ["/vi/", "/vi/attractions", "/vi/events", "/vi/products", f"/vi/shops/{shop.merchant_slug}",
                     "/api/v1/products", f"/api/v1/shops/{shop.merchant_slug}", "/api/v1/attractions",
                     "/api/v1/attractions/po-klong-garai", "/api/v1/events"]:
            assert (await client.get(path)).status_code == 200, path
        await sign_in(client, "buyer@example.vn")
        for path in pages:
            response = await client.get(path)
            assert response.status_code == 200, path
            # A signed-in person may have just changed something: they read the primary.
            assert REPLICA_MARK not in response.text, path
