"""The spelling bonus compares the query's words as typed with each listing's words stored at indexing time."""

import asyncpg

from marketplace.platform.database import init_connection
from marketplace.platform.migrations import apply_migrations, discover_migrations
from search.postgres import PostgresEngine
from search.text import spellings, typed_words
from tests.conftest import TestServer, create_test_database, drop_test_database
from tests.search.search_samples import doc

TYPED_WORDS_MIGRATION = "20261206_3801_typed_words.sql"


def test_typed_words_keep_tone_marks_fold_case_and_leave_out_cjk() -> None:
    assert typed_words("Vườn NHO Thái An, nho-xanh; 葡萄园 Ninh Thuận") == {
        "vườn", "nho", "thái", "an", "xanh", "ninh", "thuận"}
    assert spellings("Nhỏ nhỏ NHO 葡萄") == ["nhỏ", "nho"]


async def test_a_listing_is_stored_with_its_words_as_typed(pool: asyncpg.Pool) -> None:
    await PostgresEngine(pool).upsert([doc("product:nho", name={"vi": "Nho XANH Ninh Thuận", "en": "Green grapes"},
                                           summary={"vi": "Vườn nhỏ."})])
    async with pool.acquire() as connection:
        row = await connection.fetchrow("SELECT typed_name_words, typed_text_words FROM search_documents")
    assert row["typed_name_words"] == ["grapes", "green", "nho", "ninh", "thuận", "xanh"]
    assert row["typed_text_words"] == ["nhỏ", "vườn"]


async def test_the_migration_queues_every_listing_indexed_before_it(pg: TestServer) -> None:
    name = await create_test_database(pg, "template0")
    connection = await asyncpg.connect(pg.uri(name))
    try:
        await init_connection(connection)
        migrations = discover_migrations()
        position = next(i for i, m in enumerate(migrations) if m.name == TYPED_WORDS_MIGRATION)
        await apply_migrations(connection, migrations[:position])
        await connection.execute(
            "INSERT INTO search_documents (id, kind, tsv, tsv_name, document) VALUES"
            " ('product:old', 'product', 'nho', 'nho', '{}')")
        await connection.execute("DELETE FROM search_outbox")
        await apply_migrations(connection, migrations)
        assert await connection.fetchval("SELECT array_agg(document_id) FROM search_outbox") == ["product:old"]
        storage = await connection.fetch("SELECT attstorage::text AS attstorage FROM pg_attribute WHERE attrelid"
                                         " = 'search_documents'::regclass AND attname IN ('tsv', 'tsv_name')")
        assert {row["attstorage"] for row in storage} == {"m"}
    finally:
        await connection.close()
        await drop_test_database(pg, name)
