"""Large batches reach the PostgreSQL engine through COPY: the same rows, words and variants as row by row."""

import asyncpg
import msgspec
import pytest

from search import postgres
from search.bench.corpus import generate
from search.bench.repository import delete_search_documents
from search.postgres import PostgresEngine
from tests.search.search_samples import DOCUMENTS

SNAPSHOT_SQL = {
    "documents": "SELECT id, kind, category, commune_code, lat, lng, geo::text, price_min, price_max, rating,"
                 " ocop_stars, popularity, available, merchant_id, updated_at, tsv, tsv_name, name_tokens, name_all,"
                 " words, typed_name_words, typed_text_words, document FROM search_documents ORDER BY id",
    "vocabulary": "SELECT word, ndoc FROM search_vocabulary ORDER BY word",
    "variants": "SELECT variant, word FROM search_vocabulary_variants ORDER BY variant, word",
}


async def _snapshot(pool: asyncpg.Pool) -> dict[str, list[tuple[object, ...]]]:
    async with pool.acquire() as connection:
        return {name: [tuple(row) for row in await connection.fetch(sql)] for name, sql in SNAPSHOT_SQL.items()}


async def _load_and_edit(pool: asyncpg.Pool) -> dict[str, list[tuple[object, ...]]]:
    engine = PostgresEngine(pool)
    synthetic = list(generate(300))
    await engine.upsert([*DOCUMENTS, *synthetic])
    # An edit of every synthetic listing (new words, some unpublished) goes through the same path again.
    edited = [msgspec.structs.replace(document, name={**document.name, "en": f"{document.name.get('en', '')} renamed"},
                                  published=index % 7 != 0)
              for index, document in enumerate(synthetic)]
    await engine.upsert(edited)
    return await _snapshot(pool)


async def test_copy_and_row_by_row_leave_identical_tables(pool: asyncpg.Pool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postgres, "COPY_MIN_ROWS", 10**9)
    row_by_row = await _load_and_edit(pool)
    async with pool.acquire() as connection:
        await delete_search_documents(connection)
    monkeypatch.setattr(postgres, "COPY_MIN_ROWS", 1)
    copied = await _load_and_edit(pool)
    assert len(copied["documents"]) == len(DOCUMENTS) + 300 - len(range(0, 300, 7))
    assert any(row[6] is not None for row in copied["documents"])  # points became earth values
    for table in SNAPSHOT_SQL:
        assert copied[table] == row_by_row[table], table
