"""Reindexing from the database and reporting drift."""

import io

import asyncpg

from search.admin import ProgressBar, check, reindex
from search.models import SearchQuery
from search.postgres import PostgresEngine
from tests.search.search_listings import ListingSource, create_listings_table
from tests.search.search_samples import doc


async def test_reindex_rebuilds_and_check_reports_drift(pool: asyncpg.Pool) -> None:
    await create_listings_table(pool)
    async with pool.acquire() as connection:
        await connection.executemany(
            "INSERT INTO test_listings (key, name_vi, published) VALUES ($1, $2, $3)",
            [(f"p{i:03}", f"Sản phẩm {i}", i % 10 != 0) for i in range(120)],
        )
    engine = PostgresEngine(pool)
    # A document the database does not have, e.g. left over from a listing deleted while nothing ran.
    await engine.upsert([doc("product:ghost", name={"vi": "Ma"})])
    source = ListingSource()

    before = await check(pool, engine, [source])
    assert not before.ok
    assert before.database_count == 108 and before.engine_count == 1
    assert len(before.missing) == 108 and before.extra == ["product:ghost"]
    assert "DRIFT" in before.summary()

    calls: list[tuple[int, int | None]] = []
    assert await reindex(pool, engine, [source], batch_size=50, progress=lambda d, t: calls.append((d, t))) == 108
    assert calls == [(50, None), (100, None), (108, None)]

    after = await check(pool, engine, [source])
    assert after.ok and after.database_count == after.engine_count == 108
    assert "in sync" in after.summary()
    assert (await engine.search(SearchQuery(text="san pham 17"))).hits[0].document.id == "product:p017"


def test_progress_bar_draws_with_and_without_a_total() -> None:
    out = io.StringIO()
    bar = ProgressBar(out, width=10)
    bar(5, 10)
    bar(7, None)
    bar.finish()
    text = out.getvalue()
    assert "[#####-----] 5/10" in text and "7 documents" in text and text.endswith("\n")
