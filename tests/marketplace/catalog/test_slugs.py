"""Product slugs: readable, free of diacritics, unique even when two merchants save the same name at once."""

import asyncio

import asyncpg

from marketplace.platform.slugs import slugify
from tests.marketplace.factories import make_merchant, make_product


def test_slugs_are_readable_and_free_of_diacritics() -> None:
    assert slugify("Nho đỏ Ninh Thuận (Red Cardinal)") == "nho-do-ninh-thuan-red-cardinal"
    assert slugify("ĐẶC SẢN Phan Rang – Tháp Chàm") == "dac-san-phan-rang-thap-cham"
    assert slugify("Mực một nắng") == "muc-mot-nang"
    assert slugify("！！！") == "item"


async def test_slugs_are_unique(conn: asyncpg.Connection) -> None:
    owner, merchant = await make_merchant(conn)
    first = await make_product(conn, owner, merchant, name="Tỏi Phan Rang")
    second = await make_product(conn, owner, merchant, name="Tỏi Phan Rang")
    assert (first.slug, second.slug) == ("toi-phan-rang", "toi-phan-rang-2")


async def test_concurrent_products_with_one_name_get_distinct_slugs(pool: asyncpg.Pool) -> None:
    async with pool.acquire() as conn, conn.transaction():
        owner, merchant = await make_merchant(conn)
    first, second = await pool.acquire(), await pool.acquire()
    try:
        tx1, tx2 = first.transaction(), second.transaction()
        await tx1.start()
        await tx2.start()
        one = await make_product(first, owner, merchant, name="Nho đỏ")
        pending = asyncio.create_task(make_product(second, owner, merchant, name="Nho đỏ"))
        # Commit the first only once the second insert waits on its uncommitted slug: the lost-race path.
        async with pool.acquire() as observer:
            for _ in range(3000):  # polling another server process's state (up to 30 s); no event to wait on
                state = await observer.fetchval("SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1",
                                                second.get_server_pid())
                if state == "Lock":
                    break
                await asyncio.sleep(0.01)
            assert state == "Lock"
        await tx1.commit()
        two = await pending
        await tx2.commit()
    finally:
        await pool.release(first)
        await pool.release(second)
    assert {one.slug, two.slug} == {"nho-do", "nho-do-2"}
