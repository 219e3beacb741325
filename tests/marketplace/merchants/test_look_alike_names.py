"""A pending shop whose name looks like an approved shop's (same confusable skeleton) is flagged for the admin."""

from typing import Any

import asyncpg
from litestar.testing import AsyncTestClient

from i18n.confusables import confusable_skeleton
from marketplace.merchants import service as merchants
from marketplace.merchants.models import MerchantTexts
from tests.helpers import make_user, sign_in
from tests.marketplace.factories import make_admin, make_merchant

APPROVED = "Ninh Thuận Garlic"
CYRILLIC_A = "Ninh Thuận G\u0430rlic"  # а U+0430 CYRILLIC SMALL LETTER A


def test_look_alikes_share_a_skeleton_and_vietnamese_tones_do_not() -> None:
    assert CYRILLIC_A != APPROVED
    assert confusable_skeleton(CYRILLIC_A) == confusable_skeleton(APPROVED)
    assert confusable_skeleton("Ninh Thu\u1eadn G\uff41rlic") == confusable_skeleton(APPROVED)  # fullwidth ａ
    assert confusable_skeleton("NINH  THUẬN GARLIC") == confusable_skeleton(APPROVED)  # case and spaces
    assert confusable_skeleton("Nho \u03bfcop") == confusable_skeleton("Nho ocop")  # Greek ο
    assert confusable_skeleton("Nho Thu\u0061\u0323\u0302n") == confusable_skeleton("Nho Thuận")  # decomposed
    # Tone marks make different Vietnamese names: "Bà Ba" is not "Ba Ba", nor "Bá Ba".
    assert len({confusable_skeleton(name) for name in ("Bà Ba", "Ba Ba", "Bá Ba", "Bả Ba")}) == 4


async def test_the_queue_flags_a_confusable_name_and_not_a_different_one(conn: asyncpg.Connection) -> None:
    _, approved = await make_merchant(conn, name=APPROVED)
    _, impostor = await make_merchant(conn, name=CYRILLIC_A, approve=False)
    _, honest = await make_merchant(conn, name="Ninh Thuận Grapes", approve=False)
    admin = await make_admin(conn)
    pending = await merchants.list_approval_queue(conn, admin)
    look_alikes = await merchants.look_alikes_of(conn, pending)
    assert [other["id"] for other in look_alikes[impostor.id]] == [approved.id]
    assert honest.id not in look_alikes


async def test_rows_without_stored_skeletons_and_renamed_shops_are_compared(conn: asyncpg.Connection) -> None:
    owner, approved = await make_merchant(conn, name="Muối Cà Ná")
    _, impostor = await make_merchant(conn, name="Muối Cà N\u0430\u0301", approve=False)  # Cyrillic а + acute
    # Written before the column existed: the queue fills the skeletons in.
    await conn.execute("UPDATE merchants SET name_skeletons = NULL WHERE id = ANY($1::bigint[])",
                       [approved.id, impostor.id])
    admin = await make_admin(conn)
    assert impostor.id in await merchants.look_alikes_of(conn, await merchants.list_approval_queue(conn, admin))
    # The approved shop takes another name: the pending one no longer looks like it.
    await merchants.save_texts(conn, owner, approved.id, MerchantTexts(name={"vi": "Muối hầm Cà Ná"}))
    assert impostor.id not in await merchants.look_alikes_of(conn, await merchants.list_approval_queue(conn, admin))


async def test_the_approval_queue_page_shows_the_flag(client: AsyncTestClient[Any], pool: asyncpg.Pool) -> None:
    async with pool.acquire() as connection:
        _, approved = await make_merchant(connection, name=APPROVED)
        _, impostor = await make_merchant(connection, name=CYRILLIC_A, approve=False)
        _, honest = await make_merchant(connection, name="Ninh Thuận Grapes", approve=False)
    await make_user(pool, "reviewer@example.test", ["admin"])
    await sign_in(client, "reviewer@example.test")
    page = await client.get("/vi/admin/merchants")
    assert page.status_code == 200
    articles = {chunk.split("</h2>")[0]: chunk for chunk in page.text.split('<article class="pending-merchant">')[1:]}
    flagged = next(chunk for heading, chunk in articles.items() if CYRILLIC_A in heading)
    unflagged = next(chunk for heading, chunk in articles.items() if "Grapes" in heading)
    assert "look-alike" in flagged and f"/vi/shops/{approved.slug}" in flagged
    assert "look-alike" not in unflagged
    assert impostor.id != honest.id
